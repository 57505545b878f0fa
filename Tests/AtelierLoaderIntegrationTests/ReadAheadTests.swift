import AtelierCatalog
import AtelierPostgres
import AtelierSchema
@testable import AtelierLoader
import AtelierTestSupport
import Foundation
import Testing

/// A run stages files on several connections at once, each reading its next file while the
/// previous one's keys are built; these check that what it read that way is exactly what reading
/// the files one by one gives, and never outlives its run.
@Suite struct ReadAheadTests {
    @Test(arguments: [2, 4])
    func stagingAtOnceLoadsExactlyWhatLoadingOneByOneLoads(jobs: Int) throws {
        let atOnce = try TestDatabase.create()
        let oneByOne = try TestDatabase.create()
        let files = try LoadPlan.files(for: [Repository.samples]).files
        let parallelLoader = RunLoader(
            connection: try atOnce.connect(),
            options: LoadOptions(rejectDirectory: try Repository.temporaryDirectory(), jobs: jobs))
        let plainLoader = RunLoader(
            connection: try oneByOne.connect(),
            options: LoadOptions(rejectDirectory: try Repository.temporaryDirectory(), jobs: 1))
        plainLoader.readsAhead = false
        var finishedOrder: [String] = []
        parallelLoader.onFileLoaded = { finishedOrder.append($0.file) }
        let parallel = parallelLoader.load(files: files)
        let without = plainLoader.load(files: files)
        #expect(parallel.failure == nil && without.failure == nil)
        #expect(parallel.files.map(\.unTimed) == without.files.map(\.unTimed))
        #expect(Set(finishedOrder) == Set(files.map { URL(fileURLWithPath: $0).lastPathComponent }))
        for table in Catalog.tables {
            let sql = "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM \(Schema.quoted(table.name)) t"
            #expect(try atOnce.value(sql) == oneByOne.value(sql), "\(table.name)")
        }
        #expect(try atOnce.value(Schema.unvalidatedForeignKeys) == nil)
        let failed = try Verifier(connection: atOnce.connect()).run().filter { !$0.passed }.map(\.name)
        #expect(failed == [])
    }

    /// Ids read ahead belong to one run: a run refused after its parent's rows were read leaves
    /// nothing for the next run, whose child file is checked against the live parent.
    @Test func aRefusedRunLeavesNothingReadAheadForTheNext() throws {
        let database = try TestDatabase.withSamples()
        let folder = try ReplaceAndAppendTests.smallerProductFile()
        try FileManager.default.copyItem(atPath: Repository.samples + "/features.csv", toPath: folder + "/features.csv")
        let loader = RunLoader(
            connection: try database.connect(), options: LoadOptions(allowShrink: true, rejectDirectory: folder))
        let refused = loader.load(files: [folder + "/product.csv", folder + "/features.csv"])
        // Read ahead against the 10 staged products, most features are orphans; the live styles,
        // reviews and others would point at products that are gone, so the run is refused.
        #expect(refused.outcome == .refused)
        #expect(refused.files.count == 2)
        #expect(refused.files.last?.rejected[.orphan, default: 0] ?? 0 > 40)
        let report = try #require(loader.load(files: [folder + "/features.csv"]).files.first)
        #expect(report.rowsLoaded == 70)
        #expect(report.rejected == [.missingValue: 1, .orphan: 2])
    }

    @Test func aLoadThatStopsMidwayLeavesNoRejectFile() throws {
        let folder = try Repository.folder([
            "features.csv": "id,product_id,feature,value\n1,1,\"Sole\",\"Rubber\"\n2,x,\"Sole\",\"Rubber\"\n"
        ])
        let table = try #require(Catalog.table(forFile: "features.csv"))
        var products = IdSet()
        products.insert(1)
        let finished = try FileEncoder(
            path: folder + "/features.csv", table: table, options: LoadOptions(rejectDirectory: folder),
            existingIds: IdSet(), parentIds: [.product: products])
        finished.start()
        while let chunk = finished.nextChunk() { finished.recycle(chunk) }
        let outcome = try finished.finish()
        #expect((outcome.rowsRead, outcome.rowsLoaded, outcome.rejected) == (2, 1, [.badInteger: 1]))
        finished.cancel()
        #expect(FileManager.default.fileExists(atPath: folder + "/features.rejects.csv"))

        let stopped = try FileEncoder(
            path: folder + "/features.csv", table: table, options: LoadOptions(rejectDirectory: folder),
            existingIds: IdSet(), parentIds: [.product: products])
        stopped.start()
        stopped.cancel()
        #expect(!FileManager.default.fileExists(atPath: folder + "/features.rejects.csv"))
    }
}

extension FileReport {
    /// The report without its timing, to compare two loads of the same file.
    var unTimed: FileReport {
        var report = self
        report.seconds = 0
        report.times = StageTimes()
        return report
    }
}
