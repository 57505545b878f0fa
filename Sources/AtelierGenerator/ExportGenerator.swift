import AtelierCatalog
import Foundation

/// Writes a deterministic synthetic export of all 14 files in the current format, shaped like
/// the real one (per-product ratios, text lengths, quoting), with the contract's defects planted
/// at a chosen rate. Streams: memory does not grow with the scale.
public struct ExportGenerator: Sendable {
    public let scale: Double
    public let seed: UInt64
    public let defectRate: Double

    /// The file beside the CSVs that records what was generated and what a load must report.
    public static let manifestName = "generated.json"

    /// - Parameters:
    ///   - scale: 1.0 is the size of the real export (1,000,011 products, about 69 million rows).
    ///   - defectRate: the share of rows, in every file, that get one planted defect.
    public init(scale: Double, seed: UInt64 = 1, defectRate: Double = 0) {
        self.scale = scale
        self.seed = seed
        self.defectRate = defectRate
    }

    private var walk: RowWalk { RowWalk(seed: seed, scale: scale, defects: DefectPlan(seed: seed, rate: defectRate)) }

    /// Writes every file into `directory` (created if missing), largest first, one file per
    /// core at a time, then the manifest. `progress` is called as each file is finished.
    public func generate(
        into directory: String, progress: @escaping @Sendable (GeneratedFile, Double) -> Void = { _, _ in }
    )
        throws(GeneratorError) -> [GeneratedFile]
    {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(directory, error.localizedDescription)
        }
        let walk = self.walk
        let order = Catalog.tables.indices.sorted { estimatedBytes($0) > estimatedBytes($1) }
        let work = WorkQueue(order)
        DispatchQueue.concurrentPerform(
            iterations: max(1, min(ProcessInfo.processInfo.activeProcessorCount, order.count))
        ) { _ in
            while let table = work.next() {
                let start = Date()
                let result = Result { () throws(GeneratorError) in
                    try TableFileWriter(walk: walk, table: table).write(
                        to: "\(directory)/\(Catalog.tables[table].fileName)")
                }
                work.finish(table, result)
                if case .success(let file) = result { progress(file, Date().timeIntervalSince(start)) }
            }
        }
        let files = try work.results()
        let manifest = JSONDocument.encode(
            Manifest(scale: scale, seed: seed, defectRate: defectRate, files: files.map(\.entry)))
        let path = "\(directory)/\(Self.manifestName)"
        guard FileManager.default.createFile(atPath: path, contents: Data(manifest.utf8)) else {
            throw .cannotWrite(path, "could not create the file")
        }
        return files
    }

    /// `generated.json`: the arguments and, per file, what was written and what a load must report.
    struct Manifest: Encodable {
        let scale: Double
        let seed: UInt64
        let defectRate: Double
        let files: [GeneratedFile.Entry]

        enum CodingKeys: String, CodingKey {
            case scale, seed, files
            case defectRate = "defect_rate"
        }
    }

    /// A rough size of a table at this scale, only to start the biggest files first.
    func estimatedBytes(_ table: Int) -> Double {
        let name = Catalog.tables[table].tableName
        return estimatedRows(name) * Double(ExportShape.shape(of: name).values.count)
    }

    private func estimatedRows(_ name: TableName) -> Double {
        switch ExportShape.shape(of: name).rows {
        case .root(let full): Double(full) * scale
        case .perParent(let parent, let mean, _): estimatedRows(parent) * mean
        case .characteristicReviewPairs:
            estimatedRows(.reviews) * estimatedRows(.characteristics) / max(1, estimatedRows(.product))
        }
    }
}

/// Hands tables to the worker threads and collects their results in catalogue order.
private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int]
    private var done: [Int: Result<GeneratedFile, GeneratorError>] = [:]

    init(_ order: [Int]) { pending = order.reversed() }

    func next() -> Int? { lock.withLock { pending.popLast() } }

    func finish(_ table: Int, _ result: Result<GeneratedFile, GeneratorError>) {
        lock.withLock {
            done[table] = result
            if case .failure = result { pending.removeAll() }
        }
    }

    func results() throws(GeneratorError) -> [GeneratedFile] {
        let done = lock.withLock { self.done }
        var files: [GeneratedFile] = []
        for table in done.keys.sorted() { files.append(try done[table]!.get()) }
        return files
    }
}
