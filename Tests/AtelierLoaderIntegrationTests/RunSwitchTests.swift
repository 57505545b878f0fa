import AtelierCatalog
import AtelierPostgres
import AtelierSchema
@testable import AtelierLoader
import AtelierTestSupport
import Foundation
import Testing

/// The run judged as a whole and switched in at once: a complete new export loads over an
/// older one with no option; a refused file refuses the run; a partial run that would orphan
/// live rows is refused unless `--cascade`; one run at a time.
@Suite struct RunSwitchTests {
    static let scale = 0.003

    static func export(seed: Int) throws -> String { try GeneratedExports.folder(scale: scale, seed: seed) }

    /// A database holding a fresh load of the export of `seed`.
    static func loaded(seed: Int) throws -> TestDatabase {
        let database = try TestDatabase.create()
        _ = try database.load(try export(seed: seed))
        return database
    }

    /// A folder with the export of `seed`'s files, `replaced` ones written instead.
    static func variant(of seed: Int, replacing replaced: [String: String]) throws -> String {
        let source = try export(seed: seed)
        let folder = try Repository.folder(replaced)
        for table in Catalog.tables where replaced[table.fileName] == nil {
            try FileManager.default.createSymbolicLink(
                atPath: folder + "/" + table.fileName, withDestinationPath: source + "/" + table.fileName)
        }
        return folder
    }

    static func load(_ folder: String, into database: TestDatabase, _ options: [String] = []) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try runETL(
            ["load", folder, "--database-url", database.url, "--reject-dir", try Repository.temporaryDirectory()]
                + options)
    }

    @Test func aCompleteNewExportLoadsOverAnOldOneWithNoOption() throws {
        let database = try Self.loaded(seed: 5)
        let before = try database.catalogueDigest()
        let result = try Self.load(try Self.export(seed: 6), into: database)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("switched in 14 tables at once"))
        let fresh = try Self.loaded(seed: 6)
        let (reloaded, expected) = (try database.catalogueDigest(), try fresh.catalogueDigest())
        #expect(reloaded.rows == expected.rows)
        // Sequences never move back: past the new rows and every id handed out before.
        for table in Catalog.tables {
            let sequence = reloaded[table.name]!.sequence
            #expect(sequence == max(expected[table.name]!.sequence, before[table.name]!.sequence), "\(table.name)")
        }
        #expect(try database.runLeftovers() == 0)
        #expect(try runETL(["verify", "--database-url", database.url]).status == 0)
    }

    /// Whatever is wrong with one file of a complete run, nothing is switched.
    @Test(arguments: [
        ("a header-only product.csv", "product.csv", "id,name,slogan,description,category,default_price\n"),
        (
            "a file missing a required column", "styles.csv",
            "id,productId,name,sale_price,default_style\n1,1,\"x\",null,1\n"
        ),
        (
            "a mostly rejected file", "characteristics.csv",
            "id,product_id,name\n" + (1...100).map { "\($0),\($0 <= 10 ? "1" : "x"),\"Fit\"\n" }.joined()
        ),
    ])
    func aRefusedFileRefusesTheRun(_ case: (name: String, file: String, text: String)) throws {
        let database = try Self.loaded(seed: 5)
        let before = try database.catalogueDigest()
        let result = try Self.load(try Self.variant(of: 6, replacing: [`case`.file: `case`.text]), into: database)
        #expect(result.status == 2, "\(`case`.name)")
        #expect(result.stderr.contains(`case`.file), "\(`case`.name): \(result.stderr)")
        #expect(result.stdout.contains("nothing switched"), "\(`case`.name)")
        #expect(try database.catalogueDigest() == before, "\(`case`.name)")
        #expect(try database.runLeftovers() == 0, "\(`case`.name)")
    }

    /// Half the reviews of the loaded export: the live photos and ratings of the other half
    /// would point at reviews that are gone.
    @Test func aPartialRunWithLiveDependantsIsRefusedWithoutCascadeAndSwitchedWithIt() throws {
        let database = try Self.loaded(seed: 5)
        let before = try database.catalogueDigest()
        let lines = try String(contentsOfFile: try Self.export(seed: 5) + "/reviews.csv", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let rows = lines.dropFirst().filter { !$0.isEmpty }
        let kept = [lines[0]] + rows.prefix(rows.count * 6 / 10)
        let folder = try Repository.folder(["reviews.csv": kept.joined(separator: "\n") + "\n"])

        let refused = try Self.load(folder + "/reviews.csv", into: database)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("rows of reviews_photos (review_id)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("rows of characteristic_reviews (review_id)"))
        #expect(try database.catalogueDigest() == before)

        // Emptying the dependants is a shrink the guard weighs.
        let shrinking = try Self.load(folder + "/reviews.csv", into: database, ["--cascade"])
        #expect(shrinking.status == 2)
        #expect(shrinking.stderr.contains("(emptied by --cascade)"), "\(shrinking.stderr)")
        #expect(try database.catalogueDigest() == before)

        let report = try Repository.temporaryDirectory() + "/report.json"
        let switched = try Self.load(
            folder + "/reviews.csv", into: database, ["--cascade", "--allow-shrink", "--report", report])
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(switched.stdout.contains("emptied reviews_photos, characteristic_reviews"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
        let loaded = try #require(
            ((json as? [String: Any])?["files"] as? [[String: Any]])?.first?["rows_loaded"] as? Int)
        #expect(try database.count("reviews") == loaded)
        #expect(loaded > 0 && before["reviews"] != nil)
        #expect(try database.count("reviews_photos") == 0)
        #expect(try database.count("characteristic_reviews") == 0)
        let after = try database.catalogueDigest()
        for table in ["product", "characteristics", "questions", "styles"] { #expect(after[table] == before[table]) }
        #expect(try runETL(["verify", "--database-url", database.url]).status == 0)
    }

    /// A partial run whose rows keep every live reference valid needs no option; the keys of
    /// the live tables that point at the replaced one end up validated against the new one.
    @Test func aPartialRunThatOrphansNothingSwitchesAndRevalidatesTheLiveKeys() throws {
        let database = try Self.loaded(seed: 5)
        let result = try Self.load(try Self.export(seed: 5) + "/reviews.csv", into: database)
        #expect(result.status == 0, "\(result.stderr)")
        let keys = try database.rows(
            """
            SELECT conname, convalidated, confrelid::regclass::text FROM pg_constraint
            WHERE conname IN ('reviews_photos_review_id_fkey', 'characteristic_reviews_review_id_fkey',
                'reviews_product_id_fkey') ORDER BY conname
            """)
        #expect(
            keys == [
                ["characteristic_reviews_review_id_fkey", "t", "reviews"],
                ["reviews_photos_review_id_fkey", "t", "reviews"],
                ["reviews_product_id_fkey", "t", "product"],
            ])
        #expect(try database.runLeftovers() == 0)
        #expect(try runETL(["verify", "--database-url", database.url]).status == 0)
    }

    /// A row written after the run's check, pointing at a row the run removes (a review the API
    /// posted while reviews.csv was staged, and its photo), is found under the switch's locks:
    /// the run is refused, or with `--cascade` its table is emptied too.
    @Test func rowsWrittenAfterTheCheckAreCheckedAgainAtTheSwitch() throws {
        for cascade in [false, true] {
            let database = try TestDatabase.withSamples()
            let writer = try database.connect()
            let connection = try database.connect()
            var written = false
            connection.willSend = { sql in
                guard sql.hasPrefix("LOCK TABLE"), !written else { return }
                written = true
                _ = try? writer.query(
                    """
                    WITH review AS (INSERT INTO reviews (product_id, rating, date, summary, body, recommend, reported,
                        reviewer_name, helpfulness) VALUES (1, 5, now(), 'Late', 'Posted at the switch', true, false, 'api', 0)
                        RETURNING id)
                    INSERT INTO reviews_photos (review_id, url) SELECT id, 'https://example.com/late.jpg' FROM review
                    """)
            }
            let loader = RunLoader(
                connection: connection,
                options: LoadOptions(
                    cascade: cascade, allowShrink: cascade, rejectDirectory: try Repository.temporaryDirectory()))
            let run = loader.load(files: [Repository.samples + "/reviews.csv"])
            #expect(written)
            if cascade {
                #expect(run.outcome == .switched, "\(String(describing: run.failure))")
                #expect(run.switched?.emptied == ["reviews_photos"])
                #expect(try database.count("reviews_photos") == 0)
                #expect(try database.count("reviews") == 84)
            } else {
                guard case .refused(let message)? = run.failure else {
                    Issue.record("not refused: \(String(describing: run.failure))")
                    continue
                }
                #expect(message.contains("refused at the switch: 1 rows of reviews_photos written during the run"))
                #expect(try database.count("reviews") == 85)
                #expect(try database.count("reviews_photos") == 43)
            }
            #expect(try database.runLeftovers() == 0)
            #expect(try Verifier(connection: database.connect()).run().filter { !$0.passed }.map(\.name) == [])
        }
    }

    /// A long query holds a table the switch must lock: the switch's lock statement gives up
    /// after its short timeout and asks again, so the reads queued behind it go through in
    /// between instead of waiting for the long query to end.
    @Test(.timeLimit(.minutes(1))) func aLongQueryAheadOfTheSwitchHoldsUpReadsOneLockTimeoutAtATime() throws {
        let database = try TestDatabase.withSamples()
        let holder = try database.connect()
        try holder.execute("BEGIN; LOCK TABLE reviews IN ACCESS SHARE MODE")
        let run = BackgroundWork {
            try database.run([Repository.samples + "/reviews.csv"])
        }
        try database.waitForALockTableWait()
        // Reads of reviews get through while the long query still holds its lock.
        let reader = try database.connect()
        for _ in 0..<3 { _ = try reader.scalar("SELECT count(*) FROM reviews") }
        try holder.execute("COMMIT")
        let switched = try run.value()
        #expect(switched.outcome == .switched)
        #expect((switched.switched?.attempts ?? 0) >= 2)
    }

    /// An API statement planned before the switch may hold a lock on one replaced table and want
    /// another while the run drops them. The drop gives way: no deadlock is left for PostgreSQL
    /// to break (it would end whichever backend waited first, the API's as well), the reader
    /// gets its lock, and the run drops the tables again and ends switched, not untidy.
    @Test func droppingTheReplacedTablesGivesWayToAReaderOfThem() throws {
        let database = try TestDatabase.withSamples()
        let connection = try database.connect()
        // Used by the hook and then by one thread at a time.
        nonisolated(unsafe) let reader = try database.connect()
        nonisolated(unsafe) let monitor = try database.connect()
        nonisolated(unsafe) var readerLocked = false
        let deadlocks = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        let deadlocksBefore = Int(try monitor.scalar(deadlocks) ?? "") ?? -1
        let readerDone = DispatchSemaphore(value: 0)
        var interfered = false
        let loaderPID = connection.backendPID
        connection.willSend = { sql in
            guard !interfered, sql == Schema.dropRunSchemas,
                (try? monitor.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'atelier_retired'")) == "2"
            else { return }
            interfered = true
            try? reader.execute("BEGIN; LOCK TABLE atelier_retired.reviews_photos IN ACCESS SHARE MODE")
            Thread {
                // Once the drop waits for the reader, the reader asks for a table the drop holds.
                let waiting = "SELECT count(*) FROM pg_locks WHERE pid = \(loaderPID) AND NOT granted"
                while (try? monitor.scalar(waiting)) != "1" {}
                readerLocked = (try? reader.execute("LOCK TABLE atelier_retired.reviews IN ACCESS SHARE MODE")) != nil
                _ = try? reader.execute("COMMIT")
                readerDone.signal()
            }.start()
        }
        let loader = RunLoader(
            connection: connection, options: LoadOptions(rejectDirectory: try Repository.temporaryDirectory()))
        let run = loader.load(files: [Repository.samples + "/reviews.csv", Repository.samples + "/reviews_photos.csv"])
        #expect(interfered)
        #expect(readerDone.wait(timeout: .now() + 30) == .success)
        #expect(readerLocked, "the reader was not ended")
        #expect(run.outcome == .switched, "\(String(describing: run.failure))")
        #expect(try database.runLeftovers() == 0)
        // A deadlock would be found a deadlock_timeout (1 s) into the wait and reported to the
        // statistics within a second or so by the backend that found it.
        let counted = { Int((try? monitor.scalar(deadlocks)) ?? "") ?? -1 }
        let asked = Date()
        while counted() == deadlocksBefore, Date().timeIntervalSince(asked) < 3 { Thread.sleep(forTimeInterval: 0.1) }
        #expect(counted() == deadlocksBefore, "no deadlock for PostgreSQL to break")
    }

    /// Two runs never build in the same staging schema: the second waits for the first, and
    /// gives up, changing nothing, if it does not finish in time. A run in another database of
    /// the same server is not named as the holder.
    @Test func oneRunAtATime() throws {
        let elsewhere = try TestDatabase.create().connect()
        _ = try elsewhere.scalar("SELECT pg_advisory_lock(\(Schema.runLockKey))")
        let database = try TestDatabase.withSamples()
        let holder = try database.connect()
        _ = try holder.scalar("SELECT pg_advisory_lock(\(Schema.runLockKey))")
        let waiting = try Repository.temporaryDirectory()
        let loader = RunLoader(connection: try database.connect(), options: LoadOptions(rejectDirectory: waiting))
        loader.runLockTimeout = "1s"
        var notes: [String] = []
        loader.warn = { notes.append($0) }
        let refused = loader.load(files: [Repository.samples + "/reviews.csv"])
        guard case .refused(let message)? = refused.failure else {
            Issue.record("not refused: \(String(describing: refused.failure))")
            return
        }
        #expect(message.contains("another run is loading this database (backend \(holder.backendPID)"), "\(message)")
        #expect(notes.contains { $0.hasPrefix("waiting for the run of backend \(holder.backendPID)") })
        _ = try holder.scalar("SELECT pg_advisory_unlock(\(Schema.runLockKey))")
        #expect(loader.load(files: [Repository.samples + "/reviews.csv"]).outcome == .switched)
    }
}
