#if canImport(Glibc)
    import Glibc
#endif
import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import AtelierLoader
import AtelierTestSupport
import Foundation
import Testing

/// A load of several files is a run: one that stops between files makes verify fail, naming
/// the run and the files it did not load, until a later run completes.
@Suite struct LoadRunTests {
    static func runCheck(_ database: TestDatabase) throws -> Verifier.Check? {
        try Verifier(connection: database.connect()).run().first { $0.name == "run" }
    }

    @Test func aRunStoppedByADatabaseErrorBetweenFilesFailsVerifyUntilARunCompletes() throws {
        let database = try TestDatabase.withSamples()
        let connection = try database.connect()
        let killer = try database.connect()
        connection.willSend = { sql in
            if sql.hasPrefix("COPY \"reviews\"") {
                _ = try? killer.query("SELECT pg_terminate_backend($1)", [String(connection.backendPID)])
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        let loader = FileLoader(
            connection: connection, options: LoadOptions(rejectDirectory: try Repository.temporaryDirectory()))
        var outcomes: [Bool] = []
        loader.load(files: try LoadPlan.files(for: [Repository.samples]).files) { outcome in
            outcomes.append((try? outcome.get()) != nil)
            return (try? outcome.get()) != nil
        }
        #expect(outcomes == [true, true, true, true, true, true, true, true, true, false])
        let check = try #require(try Self.runCheck(database))
        #expect(!check.passed)
        #expect(
            check.detail.contains(
                "did not finish; files not loaded: reviews.csv, reviews_photos.csv, characteristics.csv, characteristic_reviews.csv, cart.csv"
            ))
        let verify = try runETL(["verify", "--database-url", database.url])
        #expect(verify.status == 4)
        #expect(verify.stderr.contains("run ("))

        // A later run that fails at its first file changes nothing and does not hide the stopped one.
        let broken = try Repository.folder(["features.csv": "id,product_id\n1,1\n"])
        _ = try? database.load(broken)
        #expect(try Self.runCheck(database)?.passed == false)

        _ = try database.load(Repository.samples)
        let passed = try #require(try Self.runCheck(database))
        #expect(passed.passed && passed.detail.contains("loaded all its files"))
    }

    @Test func aRunKilledBetweenFilesFailsVerify() throws {
        let database = try TestDatabase.create()
        let monitor = try database.connect()
        let process = try Executables.startETL([
            "load", Repository.samples, "--database-url", database.url,
            "--reject-dir", try Repository.temporaryDirectory(),
        ])
        // Kill it once its third file has committed.
        var committed = "0"
        while process.isRunning, Int(committed) ?? 0 < 3 {
            committed = (try? monitor.scalar("SELECT count(*) FROM atelier_load_history")) ?? "0"
            Thread.sleep(forTimeInterval: 0.002)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try database.waitForSessionsToEnd()
        let check = try #require(try Self.runCheck(database))
        #expect(!check.passed)
        #expect(check.detail.contains("did not finish") && check.detail.contains("cart.csv"))
        #expect(try runETL(["verify", "--database-url", database.url]).status == 4)
    }

    @Test func aFileThatChangesWhileItLoadsIsRefusedWithItsTableUnchanged() throws {
        let database = try TestDatabase.withSamples()
        let body = String(repeating: "A body that fills COPY chunks. ", count: 8)
        let rows = (1...4000).map {
            "\($0),\($0 % 30 + 1),4,1596080481467,\"S\",\"\(body)\",true,false,\"n\",\"a@b.co\",null,1\n"
        }
        let folder = try Repository.folder(["reviews.csv": ReplaceAndAppendTests.reviewHeader + rows.joined()])
        let loader = FileLoader(connection: try database.connect(), options: LoadOptions(rejectDirectory: folder))
        loader.onChunkSent = { _ in
            guard let handle = FileHandle(forWritingAtPath: folder + "/reviews.csv") else { return }
            handle.seekToEndOfFile()
            handle.write(Data("99999,1,4,1596080481467,\"S\",\"late\",true,false,\"n\",\"a@b.co\",null,1\n".utf8))
            handle.closeFile()
        }
        #expect {
            _ = try loader.load(path: folder + "/reviews.csv")
        } throws: { error in
            guard let error = error as? LoadError, case .refused(let message) = error else { return false }
            return message.contains("changed while it was being read")
        }
        #expect(try database.count("reviews") == 84)
        #expect(try Verifier(connection: database.connect()).run().filter { !$0.passed }.map(\.name) == [])
    }

    @Test func connectionsKeepAliveUnlessTheConnectionStringSaysOtherwise() throws {
        let database = try TestDatabase.create()
        let connection = try Connection(database.url)
        #expect(connection.option("keepalives_idle") == "30")
        #expect(connection.option("keepalives_count") == "3")
        #expect(try connection.scalar("SHOW tcp_keepalives_idle") == "30")
        #expect(try connection.scalar("SHOW tcp_keepalives_interval") == "10")
        #expect(
            try connection.scalar("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
                == "atelier-etl")
        let own = try Connection(database.url + "?keepalives_idle=7&application_name=mine")
        #expect(own.option("keepalives_idle") == "7")
        #expect(try own.scalar("SHOW application_name") == "mine")
    }
}
