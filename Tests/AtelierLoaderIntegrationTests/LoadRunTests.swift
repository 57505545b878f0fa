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

/// A load of several files is a run, visible whole at its switch or not at all: one stopped
/// before it changes nothing live, its leftovers are named by verify and removed by the next
/// run, and the same command run again completes.
@Suite struct LoadRunTests {
    static func leftoversCheck(_ database: TestDatabase) throws -> Verifier.Check? {
        try Verifier(connection: database.connect()).run().first { $0.name == "run leftovers" }
    }

    /// The backend staging reviews.csv is ended mid-COPY, on one connection or on one of two.
    @Test(arguments: [1, 2])
    func aRunStoppedByADatabaseErrorChangesNothingAndRunningItAgainCompletes(jobs: Int) throws {
        let database = try TestDatabase.withSamples()
        let before = try database.catalogueDigest()
        let killer = try database.connect()
        let loader = RunLoader(
            connection: try database.connect(),
            options: LoadOptions(rejectDirectory: try Repository.temporaryDirectory(), jobs: jobs))
        let runPID = loader.connection.backendPID
        var ended: Int32?
        loader.onChunkSent = { _ in
            guard ended == nil else { return }
            ended =
                (try? killer.scalar(
                    // The backend is chosen first: in one WHERE clause PostgreSQL filters the
                    // sessions before joining their database, so it would also end a run staging
                    // reviews in another test's database.
                    """
                    WITH victim AS MATERIALIZED (
                        SELECT pid FROM pg_stat_activity
                        WHERE datname = current_database() AND query LIKE 'COPY "atelier_staging"."reviews"%'
                    )
                    SELECT pid FROM victim WHERE pg_terminate_backend(pid)
                    """)).flatMap { $0.flatMap { Int32($0) } }
        }
        let stopped = loader.load(files: try LoadPlan.files(for: [Repository.samples]).files)
        #expect(ended != nil)
        #expect(stopped.outcome == .failed)
        #expect(stopped.failure?.exitCode == 3)
        #expect(!stopped.files.map(\.file).contains("reviews.csv"))
        #expect(try database.catalogueDigest() == before)
        let leftovers = try #require(try Self.leftoversCheck(database))
        let verify = try runETL(["verify", "--database-url", database.url])
        #expect(verify.status == 0, "\(verify.stderr)")
        if ended == runPID {
            // The run's own connection died with it: its staged tables stay for verify to name.
            let staged = stopped.files.count
            #expect(leftovers.detail.contains("\(staged) tables in atelier_staging"), "\(leftovers.detail)")
            #expect(verify.stdout.contains("a run that did not finish left"))
        } else {
            // Another of its connections died: the run removed what it had staged.
            #expect(leftovers.detail == "none")
        }

        let again = try database.run([Repository.samples])
        #expect(again.outcome == .switched)
        #expect(try database.runLeftovers() == 0)
        #expect(try Self.leftoversCheck(database)?.detail == "none")
    }

    @Test func aRunKilledMidwayChangesNothingAndTheSameCommandThenCompletes() throws {
        let database = try TestDatabase.withSamples()
        let before = try database.catalogueDigest()
        let monitor = try database.connect()
        let arguments = [
            "load", Repository.samples, "--database-url", database.url, "--reject-dir",
            try Repository.temporaryDirectory(),
        ]
        let process = try Executables.startETL(arguments)
        // Kill it once its third table is staged.
        var staged = 0
        while process.isRunning, staged < 3 {
            staged =
                Int((try? monitor.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'atelier_staging'")) ?? "0")
                ?? 0
            Thread.sleep(forTimeInterval: 0.002)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try database.waitForSessionsToEnd()
        #expect(try database.catalogueDigest() == before)
        #expect(try database.runLeftovers() >= 2)
        let again = try runETL(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try database.runLeftovers() == 0)
        #expect(try runETL(["verify", "--database-url", database.url]).status == 0)
    }

    /// PostgreSQL stopped and started again mid-run (a fast shutdown ends every session): the
    /// loader exits 3, the live catalogue is as it was, and the same command completes.
    @Test func aRunCutByAPostgreSQLRestartChangesNothingAndTheSameCommandThenCompletes() throws {
        let cluster = try PrivateCluster(port: 5537)
        let database = TestDatabase(name: "atelier", url: cluster.url)
        let before = try database.catalogueDigest()
        let arguments = [
            "load", try GeneratedExports.folder(scale: 0.003, seed: 6), "--database-url", cluster.url,
            "--reject-dir", try Repository.temporaryDirectory(),
        ]
        let run = BackgroundWork { try runETL(arguments) }
        let monitor = try database.connect()
        var staged = 0
        while staged < 2 {
            staged =
                Int((try? monitor.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'atelier_staging'")) ?? "0")
                ?? 0
        }
        try cluster.stop()
        try cluster.start()
        let cut = try run.value()
        #expect(cut.status == 3, "\(cut.stderr)")
        #expect(cut.stderr.contains("Nothing was switched"))
        #expect(try database.catalogueDigest() == before)
        #expect(try database.runLeftovers() >= 2)
        let again = try runETL(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try database.runLeftovers() == 0)
        #expect(try runETL(["verify", "--database-url", cluster.url]).status == 0)
    }

    @Test func aFileThatChangesWhileItLoadsRefusesTheRun() throws {
        let database = try TestDatabase.withSamples()
        let body = String(repeating: "A body that fills COPY chunks. ", count: 8)
        let rows = (1...4000).map {
            "\($0),\($0 % 30 + 1),4,1596080481467,\"S\",\"\(body)\",true,false,\"n\",\"a@b.co\",null,1\n"
        }
        let folder = try Repository.folder(["reviews.csv": ReplaceAndAppendTests.reviewHeader + rows.joined()])
        let loader = RunLoader(connection: try database.connect(), options: LoadOptions(rejectDirectory: folder))
        loader.onChunkSent = { _ in
            guard let handle = FileHandle(forWritingAtPath: folder + "/reviews.csv") else { return }
            handle.seekToEndOfFile()
            handle.write(Data("99999,1,4,1596080481467,\"S\",\"late\",true,false,\"n\",\"a@b.co\",null,1\n".utf8))
            handle.closeFile()
        }
        let run = loader.load(files: [folder + "/reviews.csv"])
        guard case .refused(let message)? = run.failure else {
            Issue.record("not refused: \(String(describing: run.failure))")
            return
        }
        #expect(message.contains("changed while it was being read"))
        #expect(try database.count("reviews") == 84)
        #expect(try database.runLeftovers() == 0)
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
