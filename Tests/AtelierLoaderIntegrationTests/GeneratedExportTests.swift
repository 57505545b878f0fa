import AtelierCatalog
import AtelierTestSupport
import Foundation
import Testing

/// `atelier-etl generate` end to end, as `make bench-etl` uses it: the real load of a generated
/// export reports exactly what the generator planted, and the plain-SQL baseline loads the same
/// rows.
@Suite struct GeneratedExportTests {
    /// `generated.json` or a load report, as file name → object.
    static func filesByName(_ path: String) throws -> [String: [String: Any]] {
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let files = document?["files"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: files.map { ($0["file"] as? String ?? "", $0) })
    }

    @Test func loadingAGeneratedExportReportsExactlyWhatWasPlanted() throws {
        let directory = try Repository.temporaryDirectory()
        let generated = try runETL([
            "generate", "--scale", "0.0005", "--seed", "5", "--defects", "0.03", "--out", directory,
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(generated.stdout.contains("defects planted"))
        let database = try TestDatabase.create()
        let report = "\(directory)/report/load.json"
        let loaded = try runETL(["load", directory, "--database-url", database.url, "--report", report])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let expected = try Self.filesByName("\(directory)/generated.json"), actual = try Self.filesByName(report)
        #expect(Set(expected.keys) == Set(Catalog.tables.map(\.fileName)))
        for (file, planned) in expected {
            let outcome = try #require(planned["expected"] as? [String: Any])
            let got = try #require(actual[file])
            #expect(got["rows_read"] as? Int == planned["rows"] as? Int, "\(file)")
            #expect(got["rows_loaded"] as? Int == outcome["loaded"] as? Int, "\(file)")
            #expect(got["rows_repaired"] as? Int == outcome["repaired"] as? Int, "\(file)")
            #expect(got["rejected"] as? [String: Int] == outcome["rejected"] as? [String: Int], "\(file)")
            #expect(try database.count(got["table"] as? String ?? "") == outcome["loaded"] as? Int, "\(file)")
        }
        #expect(try runETL(["verify", "--database-url", database.url]).status == 0)
    }

    @Test func thePlainSQLBaselineLoadsTheSameRowsAsTheLoader() throws {
        let directory = try Repository.temporaryDirectory()
        #expect(try runETL(["generate", "--scale", "0.0005", "--out", directory]).status == 0)
        let script = try runETL(["schema", "--baseline", directory])
        #expect(script.status == 0)
        let scriptPath = "\(directory)/baseline.sql"
        try Data(script.stdout.utf8).write(to: URL(fileURLWithPath: scriptPath))
        let database = try TestDatabase.create()
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        psql.arguments = ["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", database.url, "-f", scriptPath]
        try psql.run()
        psql.waitUntilExit()
        #expect(psql.terminationStatus == 0)
        let expected = try Self.filesByName("\(directory)/generated.json")
        for table in Catalog.tables {
            #expect(try database.count(table.name) == expected[table.fileName]?["rows"] as? Int, "\(table.name)")
            let constraints = try database.value(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = '\(table.name)'::regclass")
            #expect(Int(constraints ?? "") == 1 + table.references.count, "\(table.name): primary key and foreign keys")
        }
    }

    @Test func generateRefusesAScaleOrRateOutOfRange() throws {
        #expect(try runETL(["generate", "--scale", "0", "--out", "/tmp/never"]).status == 1)
        #expect(try runETL(["generate", "--scale", "0.1", "--defects", "2", "--out", "/tmp/never"]).status == 1)
        #expect(try runETL(["generate", "--scale", "0.1"]).status == 1)
    }
}
