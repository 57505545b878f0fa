import AtelierCatalog
import Foundation

/// Which file of a replacing run each connection stages next. A file is ready once every
/// parent it has in the run has been read, so its references can be checked against the ids
/// read (a staged table needs no other table on the server: its foreign keys come after every
/// file is staged). Among ready files, the one heading the costliest chain of files still to
/// stage goes first, so the longest chain (product, reviews and characteristics, then
/// characteristic_reviews) starts early and the run does not end on one connection while the
/// others idle.
///
/// Shared by the connections' threads; every property is guarded by `condition`, hence
/// `@unchecked Sendable`.
final class StagingSchedule: @unchecked Sendable {
    /// One file of the run.
    struct Task: Sendable {
        /// Its position in load order.
        let index: Int
        let path: String
        let table: TableSpec
        /// The run's tables it references.
        let parentsInRun: [TableName]
        /// Its cost (`estimatedCost`) plus that of its costliest chain of descendants in the run.
        let weight: Int
    }

    let tasks: [Task]
    private let condition = NSCondition()
    private var claimed: Set<Int> = []
    private var ids: [TableName: IdSet] = [:]
    private var staged: [Int: StagedTable] = [:]
    private var failure: LoadError?

    /// `files` in load order (parents first), their tables and their costs (`estimatedCost`).
    init(files: [String], tables: [TableSpec], costs: [Int]) {
        let inRun = Set(tables.map(\.tableName))
        var weights = [Int](repeating: 0, count: files.count)
        for index in files.indices.reversed() {
            let heaviestChild =
                files.indices.filter { tables[$0].parents.contains(tables[index].tableName) }
                .map { weights[$0] }.max() ?? 0
            weights[index] = costs[index] + heaviestChild
        }
        tasks = files.indices.map { index in
            Task(
                index: index, path: files[index], table: tables[index],
                parentsInRun: tables[index].parents.filter(inRun.contains), weight: weights[index])
        }
    }

    /// A file's cost to stage, in bytes' worth of work: its size plus `bytesPerRow` for each
    /// row, estimated from the lines in its first mebibyte. Narrow rows cost the server more per
    /// byte than wide ones (a tuple and an entry in every index each), so bytes alone would put
    /// characteristic_reviews, the longest to stage, behind much larger files of text.
    static func estimatedCost(path: String, size: Int) -> Int {
        guard size > 0, let file = FileHandle(forReadingAtPath: path) else { return size }
        defer { try? file.close() }
        let sample = (try? file.read(upToCount: 1 << 20)) ?? Data()
        let lines = max(sample.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }, 1)
        return size + bytesPerRow * lines * size / max(sample.count, 1)
    }

    /// What a row costs beyond its bytes, in bytes: the ratio of the per-row and per-byte
    /// parts of staging time across the export's files (docs/benchmarks.md).
    static let bytesPerRow = 200

    /// The next file to stage and the ids of its parents in the run, waiting until one is ready
    /// unless `waiting` is false; nil once every file is claimed or the run has failed.
    func claim(waiting: Bool = true) -> (Task, [TableName: IdSet])? {
        condition.withLock {
            while failure == nil, claimed.count < tasks.count {
                let ready = tasks.filter {
                    !claimed.contains($0.index) && $0.parentsInRun.allSatisfy { ids[$0] != nil }
                }
                if let next = ready.max(by: { $0.weight < $1.weight }) {
                    claimed.insert(next.index)
                    return (next, ids.filter { next.parentsInRun.contains($0.key) })
                }
                guard waiting else { return nil }
                condition.wait()
            }
            return nil
        }
    }

    /// A file has been read: its children may start.
    func read(_ table: TableName, ids tableIds: IdSet) {
        condition.withLock {
            ids[table] = tableIds
            condition.broadcast()
        }
    }

    /// A file's table is staged.
    func finished(_ task: Task, _ table: StagedTable) {
        condition.withLock { staged[task.index] = table }
    }

    /// Stops the run: the first failure is the run's; the other connections stop at their next chunk.
    func fail(_ error: LoadError) {
        condition.withLock {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }

    /// Whether the run has failed.
    var hasFailed: Bool { condition.withLock { failure != nil } }

    /// Once every connection is done: the staged tables in load order, or the run's failure
    /// (with the tables staged before it).
    func outcome() -> (staged: [StagedTable], failure: LoadError?) {
        condition.withLock {
            (staged.sorted { $0.key < $1.key }.map(\.value), failure)
        }
    }
}
