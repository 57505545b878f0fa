import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import AtelierLoader
import AtelierTestSupport
import Foundation
import Synchronization
import Testing

@Suite struct ReplaceAndAppendTests {
    static let reviewHeader =
        "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,reviewer_email,response,helpfulness\n"

    @Test func appendAddsRowsAndTreatsPresentIdsAsDuplicates() throws {
        let database = try TestDatabase.withSamples()
        let folder = try Repository.folder([
            "reviews.csv": Self.reviewHeader + """
                1000,1,5,1596080481467,"New","New review",true,false,"newbie","a@b.co",null,0
                1,1,5,1596080481467,"Old id","Already loaded",true,false,"newbie","a@b.co",null,0
                1001,2,4,1596080481467,"New","Another",false,false,"newbie","a@b.co",null,1
                1002,999,4,1596080481467,"Orphan","No product",false,false,"newbie","a@b.co",null,1

                """
        ])
        let report = try #require(try database.load(folder, options: LoadOptions(mode: .append)).first)
        #expect(report.rowsLoaded == 2)
        #expect(report.rejected == [.duplicateId: 1, .orphan: 1])
        #expect(report.tableRows == 86)
        #expect(try database.count("reviews") == 86)
        #expect(try database.count("reviews_photos") == 42)
        #expect(try database.value("SELECT summary FROM reviews WHERE id = 1") == "This product was great!")
        #expect(try Verifier(connection: database.connect()).run().filter { !$0.passed }.map(\.name) == [])
        #expect(try database.value("SELECT nextval(pg_get_serial_sequence('reviews', 'id'))") == "1002")
    }

    /// An appending run adds every file's rows in one transaction: until it commits, another
    /// session sees none of them, and a run stopped at its second file leaves none behind.
    @Test func anAppendingRunIsVisibleAtItsCommitOrNotAtAll() throws {
        let reviews =
            Self.reviewHeader + """
                1000,1,5,1596080481467,"New","New review",true,false,"newbie","a@b.co",null,0
                1001,2,4,1596080481467,"New","Another",false,false,"newbie","a@b.co",null,1

                """
        let photos = "id,review_id,url\n5000,1000,\"https://example.com/a.jpg\"\n"
        let folder = try Repository.folder(["reviews.csv": reviews, "reviews_photos.csv": photos])
        let files = try LoadPlan.files(for: [folder]).files
        for stopped in [true, false] {
            let database = try TestDatabase.withSamples()
            let observer = try database.connect()
            let connection = try database.connect()
            let killer = try database.connect()
            var seenBeforeCommit: [String?] = []
            connection.willSend = { sql in
                guard sql.hasPrefix("COPY \"reviews_photos\"") else { return }
                seenBeforeCommit.append(try? observer.scalar("SELECT count(*) FROM reviews"))
                if stopped { _ = try? killer.query("SELECT pg_terminate_backend($1)", [String(connection.backendPID)]) }
            }
            let run = RunLoader(
                connection: connection,
                options: LoadOptions(mode: .append, rejectDirectory: try Repository.temporaryDirectory())
            ).load(files: files)
            #expect(seenBeforeCommit == ["84"], "the first file's rows are not visible before the commit")
            #expect(run.outcome == (stopped ? .failed : .appended))
            #expect(try database.count("reviews") == (stopped ? 84 : 86))
            #expect(try database.count("reviews_photos") == (stopped ? 42 : 43))
        }
    }

    /// A writer holds a table the switch locks late, then waits for one it locked early: a
    /// deadlock (or the switch's short lock timeout, whichever comes first) ends the switch's
    /// lock statement. Nothing is changed yet, so it rolls back and asks again.
    @Test func aSwitchThatDeadlocksWhileTakingItsLocksTriesAgain() throws {
        let database = try TestDatabase.withSamples()
        // Each connection is used by one thread at a time: the writer by the run's hook, then
        // (once the switch waits in its LOCK statement) by the test.
        nonisolated(unsafe) let writer = try database.connect()
        // The switch's lock timeout equals the default deadlock timeout, so a writer that begins
        // waiting a moment later could still be the one PostgreSQL ends first on a busy machine.
        // This test is about the switch, so the writer never runs the deadlock check.
        try writer.execute("SET deadlock_timeout = '1h'")
        nonisolated(unsafe) let connection = try database.connect()
        let lockStatements = Mutex(0)
        connection.willSend = { sql in
            guard sql.hasPrefix("LOCK TABLE") else { return }
            let first = lockStatements.withLock { count in
                count += 1
                return count == 1
            }
            if first { try? writer.execute("BEGIN; LOCK TABLE reviews_photos IN ROW EXCLUSIVE MODE") }
        }
        let reload = BackgroundWork {
            let loader = RunLoader(
                connection: connection, options: LoadOptions(rejectDirectory: try Repository.temporaryDirectory()))
            return loader.load(files: [Repository.samples + "/reviews.csv"])
        }
        try database.waitForALockTableWait()
        // Waits for the switch's lock on reviews, which it took before asking for reviews_photos.
        _ = try writer.scalar("SELECT count(*) FROM reviews")
        try writer.execute("COMMIT")
        let run = try reload.value()
        #expect(run.outcome == .switched, "\(String(describing: run.failure))")
        #expect(run.switched?.attempts == 2)
        #expect(lockStatements.withLock { $0 } == 2, "ended once, then granted")
        #expect(try Verifier(connection: database.connect()).run().filter { !$0.passed }.map(\.name) == [])
    }

    /// A product file that lacks products the other tables point at.
    static func smallerProductFile() throws -> String {
        let rows = (1...10).map { "\($0),\"P\($0)\",\"s\",\"d\",\"c\",10" }
        return try Repository.folder([
            "product.csv": "id,name,slogan,description,category,default_price\n" + rows.joined(separator: "\n") + "\n"
        ])
    }

    @Test func replacingAReferencedTableIsRefusedNamingTheDependants() throws {
        let database = try TestDatabase.withSamples()
        #expect {
            _ = try database.load(try Self.smallerProductFile(), options: LoadOptions(allowShrink: true))
        } throws: { error in
            guard let error = error as? LoadError, case .refused(let message) = error else { return false }
            return error.exitCode == 2 && message.contains("features") && message.contains("reviews")
                && message.contains("--cascade") && !message.contains("cart")
        }
        #expect(try database.count("product") == 30)
        #expect(try database.count("features") == 70)
        #expect(try Verifier(connection: database.connect()).run().filter { !$0.passed }.map(\.name) == [])
    }

    @Test func cascadeEmptiesTheDependantsAndNothingElse() throws {
        let database = try TestDatabase.withSamples()
        let run = try database.run(
            [try Self.smallerProductFile()], options: LoadOptions(cascade: true, allowShrink: true))
        let emptied = try #require(run.switched?.emptied)
        #expect(
            emptied == [
                "features", "styles", "photos", "skus", "related", "questions", "answers",
                "answers_photos", "reviews", "reviews_photos", "characteristics", "characteristic_reviews",
            ])
        #expect(try database.count("product") == 10)
        for table in emptied { #expect(try database.count(table) == 0, "\(table)") }
        #expect(try database.count("cart") == 12)
        #expect(try Verifier(connection: database.connect()).run().filter { !$0.passed }.map(\.name) == [])
    }

    @Test func aFileMissingARequiredColumnChangesNothing() throws {
        let database = try TestDatabase.withSamples()
        let folder = try Repository.folder([
            "styles.csv": "id,productId,name,sale_price,default_style\n1,1,\"x\",null,1\n"
        ])
        #expect {
            _ = try database.load(folder)
        } throws: { error in
            guard let error = error as? LoadError, case .refused(let message) = error else { return false }
            return message.contains("original_price")
        }
        #expect(try database.count("styles") == 58)
    }

    @Test func theConnectionLostMidCopyLeavesThePreviousContents() throws {
        let database = try TestDatabase.withSamples()
        let body = String(repeating: "A long enough review body to fill several COPY chunks. ", count: 4)
        let rows = (1...3000).map {
            "\($0),1,4,1596080481467,\"Summary\",\"\(body)\",true,false,\"name\",\"a@b.co\",null,1"
        }
        let folder = try Repository.folder(["reviews.csv": Self.reviewHeader + rows.joined(separator: "\n") + "\n"])
        let loaderConnection = try database.connect()
        let killer = try database.connect()
        let loader = RunLoader(
            connection: loaderConnection, options: LoadOptions(rejectDirectory: try Repository.temporaryDirectory()))
        var chunks = 0
        loader.onChunkSent = { _ in
            chunks += 1
            if chunks == 2 {
                _ = try? killer.query("SELECT pg_terminate_backend($1)", [String(loaderConnection.backendPID)])
            }
        }
        let run = loader.load(files: [folder + "/reviews.csv"])
        guard case .database? = run.failure else {
            Issue.record("not a database error: \(String(describing: run.failure))")
            return
        }
        #expect(chunks >= 2)
        #expect(try database.count("reviews") == 84)
        #expect(try database.count("reviews_photos") == 42)
        #expect(try Verifier(connection: database.connect()).run().filter { !$0.passed }.map(\.name) == [])
        // Running the command again finishes the job.
        _ = try database.load(folder)
        #expect(try database.count("reviews") == 3000)
    }
}
