import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import AtelierLoader
import AtelierTestSupport
import Foundation
import Testing

/// Reads a reject file back: (line, reason, record) for every row.
func readRejects(_ path: String) throws -> [(line: Int, reason: String, record: String)] {
    let reader = try CSVRecordReader(path: path)
    guard try reader.next() else { return [] }
    #expect(reader.fieldStrings() == ["line", "reason", "detail", "record"])
    var rows: [(Int, String, String)] = []
    while try reader.next() {
        let fields = reader.fieldStrings()
        rows.append((Int(fields[0]) ?? -1, fields[1], fields[3]))
    }
    return rows
}

@Suite struct SampleLoadTests {
    @Test func everyFileGivesTheDocumentedCountsAndRejects() throws {
        let database = try TestDatabase.create()
        let rejectDirectory = try Repository.temporaryDirectory()
        let reports = try database.load(Repository.samples, rejectDirectory: rejectDirectory)
        #expect(reports.map(\.table) == Catalog.tables.map(\.tableName))
        for report in reports {
            let expected = try #require(sampleExpectations[report.file])
            #expect(report.rowsRead == expected.read, "\(report.file)")
            #expect(report.rowsLoaded == expected.loaded, "\(report.file)")
            #expect(report.rowsRepaired == expected.repaired, "\(report.file)")
            #expect(report.rowsRejected == expected.rejects.count, "\(report.file)")
            #expect(try database.count(report.table.rawValue) == expected.loaded, "\(report.file)")
            let rejects = try readRejects("\(rejectDirectory)/\(report.table).rejects.csv")
            #expect(rejects.map(\.line) == expected.rejects.map(\.line), "\(report.file)")
            #expect(rejects.map(\.reason) == expected.rejects.map(\.reason.rawValue), "\(report.file)")
            var byReason: [RejectReason: Int] = [:]
            for reject in expected.rejects { byReason[reject.reason, default: 0] += 1 }
            #expect(report.rejected == byReason, "\(report.file)")
        }
        let productRejects = try readRejects("\(rejectDirectory)/product.rejects.csv")
        #expect(productRejects[0].record == "31,\"\",\"Nameless\",\"No name at all\",\"Pants\",20")
    }

    @Test func tableContentsAreTheCleanedValues() throws {
        let database = try TestDatabase.withSamples()
        #expect(
            try database.rows(
                "SELECT name, description, default_price::text FROM product WHERE id IN (3, 5, 6, 7, 11) ORDER BY id")
                == [
                    ["Product 3", "Line one, with a comma\nand \"quoted\" words on line two", "103.00"],
                    ["Product 5", "The So Fatigues will wake you up and fit you in.", "45.00"],
                    ["Product 6", "The So Fatigues will wake you up and fit you in.", "99.50"],
                    ["Crème Brûlée Jacket", "The So Fatigues will wake you up and fit you in.", "107.00"],
                    ["Product 11", "The So Fatigues will wake you up and fit you in.", "49.00"],
                ])
        // features.csv has CRLF line ends: no carriage return may leak into a value.
        #expect(
            try database.value(
                "SELECT count(*) FROM features WHERE value LIKE '%' || chr(13) || '%' OR feature LIKE '%' || chr(13) || '%'"
            ) == "0")
        #expect(
            try database.rows("SELECT id, value FROM features WHERE id IN (4, 5, 6) ORDER BY id") == [
                ["4", "Rubber"], ["5", nil], ["6", "100% Cotton"],
            ])
        #expect(
            try database.rows(
                "SELECT id, product_id, sale_price::text, original_price::text, default_style::text FROM styles WHERE id IN (1, 3, 4) ORDER BY id"
            ) == [
                ["1", "1", nil, "141.00", "true"], ["3", "2", "83.00", "142.00", "true"],
                ["4", "2", nil, "140.00", "false"],
            ])
        // The two photos whose closing quote was missing are whole, and so are the rows after them.
        let photos = try database.rows("SELECT id, thumbnail_url FROM photos WHERE id IN (5, 6, 20, 21) ORDER BY id")
        #expect(photos.map { $0[0] } == ["5", "6", "20", "21"])
        for photo in photos { #expect(photo[1]?.hasSuffix("&w=300&q=80") == true, "\(photo)") }
        #expect(try database.value("SELECT url FROM photos WHERE id = 10") == nil)
        #expect(
            try database.rows(
                "SELECT size, count(*)::text FROM skus WHERE style_id = 2 GROUP BY size HAVING count(*) > 1") == [
                    ["L", "2"]
                ])
        #expect(
            try database.rows("SELECT related_product_id FROM related WHERE current_product_id = 1 ORDER BY id") == [
                ["2"], ["6"], ["13"], ["2"],
            ])
        #expect(
            try database.rows(
                "SELECT body, asker_email, reported::text FROM questions WHERE id IN (2, 6, 9) ORDER BY id") == [
                    ["Does it run \"small\", large,\nor true to size? ¿Sí?", "first.last@gmail.com", "false"],
                    ["What fabric is the top made of?", nil, "false"],
                    ["What fabric is the top made of?", "first.last@gmail.com", "true"],
                ])
        #expect(
            try database.rows(
                """
                SELECT to_char(date_written AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), answerer_email
                FROM answers WHERE id IN (1, 5) ORDER BY id
                """) == [["2020-05-01T10:20:30.123Z", "first.last@gmail.com"], ["2020-01-09T00:00:00.984Z", nil]])
        #expect(
            try database.rows(
                """
                SELECT id, rating::text, to_char(date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), recommend::text, response
                FROM reviews WHERE id IN (2, 3, 4) ORDER BY id
                """) == [
                    ["2", "3", "2020-01-05T00:00:00.492Z", "true", nil],
                    ["3", "4", "2021-03-17T13:28:37.620Z", "true", nil],
                    ["4", "5", "2020-01-09T00:00:00.984Z", "false", "Glad you're enjoying the product!"],
                ])
        #expect(
            try database.rows(
                "SELECT id, user_session::text, product_id::text, active::text FROM cart WHERE id IN (1, 5) ORDER BY id"
            ) == [
                ["1", "1001", "4", "true"], ["5", "1001", "16", "false"],
            ])
    }

    @Test func aSecondLoadReplacesRatherThanDoubles() throws {
        let database = try TestDatabase.withSamples()
        let reports = try database.load(Repository.samples)
        for report in reports {
            #expect(
                try database.count(report.table.rawValue) == sampleExpectations[report.file]?.loaded, "\(report.file)")
        }
        // A parent replaced on its own keeps its children when they stay valid.
        _ = try database.load(Repository.samples + "/product.csv")
        #expect(try database.count("product") == 30)
        #expect(try database.count("features") == 70)
        #expect(try Verifier(connection: database.connect()).run().filter { !$0.passed }.isEmpty)
    }

    @Test func keysIndexesSequencesAndStatisticsAfterTheLoad() throws {
        let database = try TestDatabase.withSamples()
        let checks = try Verifier(connection: database.connect()).run()
        #expect(checks.filter { !$0.passed }.map(\.name) == [])
        // Per table: columns, keys, sequence and count; one per reference; one for the run.
        #expect(checks.count == Catalog.tables.count * 4 + Catalog.tables.map(\.references.count).reduce(0, +) + 1)
        // The API's first insert gets a fresh id.
        #expect(
            try database.value("INSERT INTO cart (user_session, product_id, active) VALUES (1, 1, true) RETURNING id")
                == "13")
        #expect(try database.value("SELECT count(*) FROM pg_stats WHERE tablename = 'reviews'") != "0")
        #expect(try database.value("SELECT count(*) FROM atelier_load_history") == "14")
    }

    @Test func theOlderExportLoadsWithoutOptions() throws {
        let database = try TestDatabase.create()
        let reports = try database.load(Repository.olderSamples)
        #expect(reports.map(\.file) == ["product.csv", "styles.csv", "questions.csv", "answers.csv", "reviews.csv"])
        #expect(reports.map(\.rowsLoaded) == [5, 5, 4, 6, 8])
        #expect(reports.allSatisfy { $0.rowsRejected == 0 })
        #expect(
            try database.rows("SELECT name, default_price::text FROM product WHERE id = 1") == [
                ["Old Product 1", "61.00"]
            ])
        #expect(
            try database.rows("SELECT sale_price, original_price::text, default_style::text FROM styles WHERE id = 2")
                == [[nil, "122.50", "false"]])
        #expect(
            try database.rows(
                "SELECT to_char(date AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), response FROM reviews WHERE id IN (1, 2) ORDER BY id"
            ) == [
                ["2019-01-01 00:00:00.000", nil], ["2019-01-02 00:00:00.000", "Thanks!"],
            ])
        #expect(
            try database.value(
                "SELECT to_char(date_written AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM questions WHERE id = 1")
                == "2018-10-11")
    }
}
