import AtelierCatalog
import AtelierPostgres
import AtelierSchema
@testable import AtelierLoader
import AtelierTestSupport
import Foundation
import Testing

/// A load given the next file starts reading it early; these check that what it read early is
/// used only while the ids it was checked against still hold.
@Suite struct ReadAheadTests {
    @Test func readingAheadLoadsExactlyWhatLoadingOneByOneLoads() throws {
        let ahead = try TestDatabase.create()
        let oneByOne = try TestDatabase.create()
        let files = try LoadPlan.files(for: [Repository.samples]).files
        let (aheadRejects, plainRejects) = (try Repository.temporaryDirectory(), try Repository.temporaryDirectory())
        let aheadLoader = FileLoader(
            connection: try ahead.connect(), options: LoadOptions(rejectDirectory: aheadRejects))
        let plainLoader = FileLoader(
            connection: try oneByOne.connect(), options: LoadOptions(rejectDirectory: plainRejects))
        for (index, file) in files.enumerated() {
            let next = index + 1 < files.count ? files[index + 1] : nil
            var withReadAhead = try aheadLoader.load(path: file, readingAhead: next)
            var without = try plainLoader.load(path: file)
            if let next, let nextTable = Catalog.table(forFile: URL(fileURLWithPath: next).lastPathComponent) {
                // The next file is already being read: its reject file is open.
                #expect(
                    FileManager.default.fileExists(atPath: "\(aheadRejects)/\(nextTable.name).rejects.csv"), "\(next)")
                #expect(
                    !FileManager.default.fileExists(atPath: "\(plainRejects)/\(nextTable.name).rejects.csv"), "\(next)")
            }
            (withReadAhead.seconds, without.seconds) = (0, 0)
            #expect(withReadAhead == without)
        }
        for table in Catalog.tables {
            let sql = "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM \(Schema.quoted(table.name)) t"
            #expect(try ahead.value(sql) == oneByOne.value(sql), "\(table.name)")
        }
    }

    @Test func aRefusedParentLoadDropsWhatWasReadAheadAgainstItsIds() throws {
        let database = try TestDatabase.withSamples()
        let folder = try ReplaceAndAppendTests.smallerProductFile()
        try FileManager.default.copyItem(atPath: Repository.samples + "/features.csv", toPath: folder + "/features.csv")
        let loader = FileLoader(connection: try database.connect(), options: LoadOptions(rejectDirectory: folder))
        #expect(throws: LoadError.self) {
            _ = try loader.load(path: folder + "/product.csv", readingAhead: folder + "/features.csv")
        }
        // Checked against the 10 products read ahead, 49 more features would be orphans; the
        // product table kept its 30 rows, so the load is the samples' own.
        let report = try loader.load(path: folder + "/features.csv")
        #expect(report.rowsLoaded == 70)
        #expect(report.rejected == [.missingValue: 1, .orphan: 2])
    }

    @Test func aParentEmptiedByCascadeDropsWhatWasReadAheadAgainstIt() throws {
        let database = try TestDatabase.withSamples()
        let folder = try ReplaceAndAppendTests.smallerProductFile()
        let loader = FileLoader(
            connection: try database.connect(),
            options: LoadOptions(cascade: true, allowShrink: true, rejectDirectory: folder))
        _ = try loader.load(path: Repository.samples + "/reviews.csv")
        let product = try loader.load(
            path: folder + "/product.csv", readingAhead: Repository.samples + "/reviews_photos.csv")
        #expect(product.emptiedTables.contains("reviews"))
        // Read ahead, the photos were checked against the reviews loaded just before.
        let photos = try loader.load(path: Repository.samples + "/reviews_photos.csv")
        #expect(photos.rowsLoaded == 0)
        #expect(photos.rejected == [.orphan: 43])
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
            existingIds: IdSet(), parentIds: ["product": products])
        finished.start()
        while let chunk = finished.nextChunk() { finished.recycle(chunk) }
        let outcome = try finished.finish()
        #expect((outcome.rowsRead, outcome.rowsLoaded, outcome.rejected) == (2, 1, [.badInteger: 1]))
        finished.cancel()
        #expect(FileManager.default.fileExists(atPath: folder + "/features.rejects.csv"))

        let stopped = try FileEncoder(
            path: folder + "/features.csv", table: table, options: LoadOptions(rejectDirectory: folder),
            existingIds: IdSet(), parentIds: ["product": products])
        stopped.start()
        stopped.cancel()
        #expect(!FileManager.default.fileExists(atPath: folder + "/features.rejects.csv"))
    }
}
