import AtelierCatalog
import AtelierGenerator
import Foundation
import Testing

/// Runs CPU-heavy work on a thread of its own: blocking the shared test thread pool for
/// seconds would starve the other suites' async work (and their deadlines).
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Generates into a fresh folder under the system's temporary folder.
func generate(scale: Double, seed: UInt64 = 1, defects: Double = 0) async throws -> (
    directory: String, files: [GeneratedFile]
) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "atelier-generated-\(UUID().uuidString)"
    ).path
    let files = try await onOwnThread {
        try ExportGenerator(scale: scale, seed: seed, defectRate: defects).generate(into: directory)
    }
    return (directory, files)
}

enum GeneratedFileError: Error { case noHeader(String) }

/// What the cleaner makes of one generated file, read the way the loader reads it.
struct CleanedFile: Sendable {
    var read = 0, loaded = 0, repaired = 0
    var unknownColumns: [String] = []
    var rejected: [RejectReason: Int] = [:]
}

/// Runs every generated file through the loader's reader and cleaner, parents first, with the
/// ids each parent file actually kept: the loader's decisions without a database.
func cleanAll(_ directory: String) throws -> [String: CleanedFile] {
    var kept: [TableName: IdSet] = [:]
    var results: [String: CleanedFile] = [:]
    for table in Catalog.tables {
        let reader = try CSVRecordReader(path: "\(directory)/\(table.fileName)")
        guard try reader.next() else { throw GeneratedFileError.noHeader(table.fileName) }
        let mapping = try HeaderMapping(header: reader.fieldStrings(), table: table)
        reader.expectedFieldCount = mapping.fieldCount
        var cleaner = RecordCleaner(table: table, mapping: mapping, parentIds: kept)
        var result = CleanedFile(unknownColumns: mapping.unknownColumns)
        while try reader.next() {
            result.read += 1
            if let rejection = cleaner.clean(reader) {
                result.rejected[rejection.reason, default: 0] += 1
            } else {
                result.loaded += 1
            }
        }
        result.repaired = reader.repairs
        kept[table.tableName] = cleaner.seenIds
        results[table.name] = result
    }
    return results
}

@Suite struct ExportGeneratorTests {
    @Test func theSameSeedWritesTheSameBytesAndAnotherSeedDoesNot() async throws {
        let first = try await generate(scale: 0.0005, seed: 7, defects: 0.02)
        let again = try await generate(scale: 0.0005, seed: 7, defects: 0.02)
        let other = try await generate(scale: 0.0005, seed: 8, defects: 0.02)
        for table in Catalog.tables {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(first.directory)/\(table.fileName)"))
            #expect(
                bytes == (try Data(contentsOf: URL(fileURLWithPath: "\(again.directory)/\(table.fileName)"))),
                "\(table.fileName)")
            if table.name != "cart" || bytes.count > 100 {
                #expect(
                    bytes != (try Data(contentsOf: URL(fileURLWithPath: "\(other.directory)/\(table.fileName)"))),
                    "\(table.fileName)")
            }
        }
        let manifest = try String(contentsOfFile: "\(first.directory)/\(ExportGenerator.manifestName)", encoding: .utf8)
        #expect(
            manifest
                == (try String(contentsOfFile: "\(again.directory)/\(ExportGenerator.manifestName)", encoding: .utf8)))
    }

    @Test func rowCountsFollowTheContractsPerParentAverages() async throws {
        let (directory, files) = try await generate(scale: 0.001)
        var rows: [String: Double] = [:]
        for file in files { rows[file.table] = Double(file.rows) }
        #expect(files.map(\.table) == Catalog.tables.map(\.name))
        #expect(rows["product"] == 1000)
        let averages: [(child: String, parent: String, mean: Double)] = [
            ("features", "product", 2.2), ("styles", "product", 1.96), ("related", "product", 4.5),
            ("questions", "product", 3.5), ("reviews", "product", 5.8), ("characteristics", "product", 3.35),
            ("photos", "styles", 2.9), ("skus", "styles", 5.8), ("answers", "questions", 1.96),
            ("answers_photos", "answers", 0.3), ("reviews_photos", "reviews", 0.47),
        ]
        for (child, parent, mean) in averages {
            let ratio = rows[child]! / rows[parent]!
            #expect(abs(ratio - mean) / mean < 0.08, "\(child) per \(parent): \(ratio), contract \(mean)")
        }
        #expect(abs(rows["characteristic_reviews"]! / rows["product"]! - 5.8 * 3.35) / (5.8 * 3.35) < 0.08)
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(file.file)")[.size] as? Int
            #expect(size == file.bytes, "\(file.file)")
        }
    }

    @Test func withoutDefectsEveryRowLoadsAndEveryReferenceResolves() async throws {
        let (directory, files) = try await generate(scale: 0.001)
        let cleaned = try await onOwnThread { try cleanAll(directory) }
        for file in files {
            let result = try #require(cleaned[file.table])
            #expect(result.read == file.rows && result.loaded == file.rows, "\(file.file)")
            #expect(result.rejected.isEmpty && result.repaired == 0, "\(file.file): \(result.rejected)")
            #expect(result.unknownColumns.isEmpty, "\(file.file): the header names every column")
            #expect(file.planted.isEmpty && file.expectedLoaded == file.rows, "\(file.file)")
        }
    }

    /// The manifest's expectations are exact: every planted defect, and every child orphaned by
    /// a rejected parent, is rejected (or repaired) as the cleaner decides.
    @Test func plantedDefectsGiveExactlyTheExpectedRejectsAndRepairs() async throws {
        let (directory, files) = try await generate(scale: 0.001, seed: 3, defects: 0.05)
        let cleaned = try await onOwnThread { try cleanAll(directory) }
        var planted: Set<PlantedDefect> = []
        for file in files {
            let result = try #require(cleaned[file.table])
            #expect(result.read == file.rows, "\(file.file)")
            #expect(result.loaded == file.expectedLoaded, "\(file.file)")
            #expect(result.repaired == file.expectedRepaired, "\(file.file)")
            #expect(result.rejected == file.expectedRejected, "\(file.file)")
            planted.formUnion(file.planted.keys)
        }
        #expect(planted == Set(PlantedDefect.allCases))
        #expect(files.first { $0.table == "photos" }!.expectedRepaired > 0)
        #expect(
            files.first { $0.table == "photos" }!.expectedRejected[.orphan, default: 0]
                > files.first { $0.table == "photos" }!.planted[.orphan, default: 0],
            "rejected styles orphan their photos")
    }

    @Test func textIsQuotedWithCommasQuotesLineBreaksAndNonASCIILetters() async throws {
        let (directory, _) = try await generate(scale: 0.001)
        let reviews = try String(contentsOfFile: "\(directory)/reviews.csv", encoding: .utf8)
        #expect(
            reviews.hasPrefix(
                "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,reviewer_email,response,helpfulness\n1,"
            ))
        #expect(reviews.contains("\"\"really\"\""))
        #expect(reviews.contains(", "))
        #expect(reviews.unicodeScalars.contains { $0.value > 0x7F })
        #expect(reviews.split(separator: "\n", omittingEmptySubsequences: false).count > 6000)
        let styles = try String(contentsOfFile: "\(directory)/styles.csv", encoding: .utf8)
        #expect(styles.hasPrefix("id,productId,name,sale_price,original_price,default_style\n"))
        #expect(styles.contains(",null,"))
    }
}
