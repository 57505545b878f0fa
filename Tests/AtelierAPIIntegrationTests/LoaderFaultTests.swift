#if canImport(Glibc)
    import Glibc
#endif
@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierSchema
import AtelierLoader
import AtelierTestSupport
import Foundation
import Testing

/// A run stopped anywhere before its switch (its backend ended at any kind of statement it
/// sends, its process killed at any moment) leaves the live catalogue exactly as it was, rows
/// and sequences, while the API serves it throughout; the same command run again completes.
/// Stopped after the switch, the new catalogue is whole and the next run tidies up.
@Suite(.serialized) struct LoaderFaultTests {
    /// The samples plus three reviews the API added after long service (ids past a million),
    /// so the sequence has handed out ids far past any file's.
    static func served() async throws -> TestDatabase {
        let database = try await Samples.copy()
        _ = try database.value("SELECT setval(pg_get_serial_sequence('reviews', 'id'), 1000000)")
        try await APIHarness.withApp(database: ConnectionParameters(connectionString: database.apiURL)) { client in
            for _ in 0..<3 {
                let posted = try await client.post("/reviews", jsonBody(ReviewRouteTests.validReview))
                #expect(posted.status == .created)
            }
        }
        // It becomes a template: no session of the server may be left on it. Sessions close as
        // the server stops (`aReplacedPoolEndsWithTheServer`); one left is named on stderr and ended.
        try await blocking { try database.endSessions(of: "atelier-serve") }
        return database
    }

    /// A statement reduced to its kind: identifiers and numbers blanked.
    static func kind(of sql: String) -> String {
        let blanked = sql.replacingOccurrences(of: "\"[^\"]*\"", with: "?", options: .regularExpression)
            .replacingOccurrences(of: "[0-9]+", with: "N", options: .regularExpression)
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
        return String(blanked.prefix(70))
    }

    /// `atelier-etl load data-samples` on `database` as a run; with `endAt`, the loader's
    /// backend is terminated as the `occurrence`th statement of that kind is sent. Returns the
    /// statements' kinds in order (repeats included) and the run's report.
    static func reload(_ database: TestDatabase, endingTheBackendAt endAt: String? = nil, occurrence: Int = 1)
        throws -> (kinds: [String], run: RunReport)
    {
        let connection = try database.connect()
        let killer = try database.connect()
        var kinds: [String] = []
        connection.willSend = { sql in
            let kind = Self.kind(of: sql)
            kinds.append(kind)
            guard kind == endAt, kinds.count(where: { $0 == kind }) == occurrence else { return }
            let pid = String(connection.backendPID)
            _ = try? killer.query("SELECT pg_terminate_backend($1)", [pid])
            while (try? killer.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [pid])) != "0" {
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        // One connection, so that every run sends its statements on it in the same order; a
        // backend of another staging connection ended is tested in LoadRunTests.
        let loader = RunLoader(
            connection: connection, options: LoadOptions(rejectDirectory: try Repository.temporaryDirectory(), jobs: 1))
        let run = loader.load(files: try LoadPlan.files(for: [Repository.samples]).files)
        return (kinds, run)
    }

    /// Runs `work` (blocking) while a server on `database` answers GETs of a product and a
    /// review summary in a loop: every answer must be a 200.
    static func whileServing<T: Sendable>(_ database: TestDatabase, _ work: @escaping @Sendable () throws -> T)
        async throws -> T
    {
        let result = Shared<T?>(nil)
        try await APIHarness.withApp(database: ConnectionParameters(connectionString: database.apiURL)) { client in
            let done = Shared(false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { done.update { $0 = true } }
                    let value = try await blocking(work)
                    result.update { $0 = value }
                }
                group.addTask {
                    var answers = 0
                    while !done.value || answers == 0 {
                        for path in ["/products/2", "/reviews/meta?product_id=2"] {
                            let answer = try await client.get(path)
                            #expect(answer.status == .ok, "\(path): \(answer.status) \(answer.error ?? "")")
                            answers += 1
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        return try #require(result.value)
    }

    static func completeRuns(_ database: TestDatabase) throws -> Int {
        Int(try database.value("SELECT count(*) FROM \(Schema.runsTable) WHERE status = 'complete'") ?? "") ?? -1
    }

    /// Every check of verify passes, there are no leftovers, and the API's POST /reviews answers 201.
    static func expectServable(_ database: TestDatabase, _ context: String) async throws {
        let failed = try await blocking { try Verifier(connection: database.connect()).run().filter { !$0.passed } }
        #expect(failed.map { "\($0.name): \($0.detail)" } == [], "\(context)")
        try await APIHarness.withApp(database: ConnectionParameters(connectionString: database.apiURL)) { client in
            let posted = try await client.post("/reviews", jsonBody(ReviewRouteTests.validReview))
            #expect(posted.status == .created, "\(context): \(posted.error ?? "")")
        }
    }

    @Test func endingTheBackendAtEachKindOfStatement() async throws {
        let served = try await Self.served()
        let before = try await blocking { try served.catalogueDigest() }
        let (kinds, whole) = try await blocking { try Self.reload(try TestDatabase.create(template: served)) }
        #expect(whole.outcome == .switched)
        // The run's statements include staging, the check, the switch and the tidying after it.
        for expected in ["COPY ?.? (", "LOCK TABLE", "ALTER TABLE ?.? SET SCHEMA", "SELECT setval(", "DROP SCHEMA"] {
            #expect(kinds.contains { $0.hasPrefix(expected) }, "\(expected)")
        }
        // Each kind where it is first sent, and the switch's COMMIT, the run's last.
        var stops = kinds.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.map { ($0, 1) }
        stops.append(("COMMIT", kinds.count { $0 == "COMMIT" }))
        #expect(stops.count >= 20)
        let switchCommit = try #require(kinds.lastIndex(of: "COMMIT"))
        for (kind, occurrence) in stops {
            let database = try await blocking { try TestDatabase.create(template: served) }
            let stopped = try await Self.whileServing(database) {
                try Self.reload(database, endingTheBackendAt: kind, occurrence: occurrence).run
            }
            let stoppedAt = kinds.indices.filter { kinds[$0] == kind }[occurrence - 1]
            let context = "backend ended at \(kind) (\(occurrence))"
            if stoppedAt <= switchCommit {
                #expect(stopped.outcome == .failed, "\(context)")
                #expect(try await blocking { try database.catalogueDigest() } == before, "\(context)")
            } else {
                #expect(stopped.outcome != .failed, "\(context)")
                #expect(try await blocking { try database.count("reviews") } == 84, "\(context)")
            }
            let again = try await blocking { try database.run([Repository.samples]) }
            #expect(again.outcome == .switched, "\(context)")
            #expect(try await blocking { try database.runLeftovers() } == 0, "\(context)")
            try await Self.expectServable(database, context)
        }
    }

    @Test func killingTheLoaderProcessAtAnyMoment() async throws {
        let served = try await Self.served()
        let before = try await blocking { try served.catalogueDigest() }
        let runsBefore = try await blocking { try Self.completeRuns(served) }
        let export = try await blocking { try GeneratedExports.folder(scale: 0.003, seed: 6) }
        let fresh = try await blocking {
            let database = try TestDatabase.create()
            _ = try database.load(export)
            return try database.catalogueDigest()
        }
        let rejects = try Repository.temporaryDirectory()
        let arguments = { @Sendable (database: TestDatabase) in
            ["load", export, "--database-url", database.url, "--reject-dir", rejects]
        }
        let timed = try await blocking { try TestDatabase.create(template: served) }
        let started = Date()
        #expect(try await blocking { try runETL(arguments(timed)).status } == 0)
        let duration = Date().timeIntervalSince(started)
        var unchanged = 0
        for fraction in [0.05, 0.12, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97] {
            let database = try await blocking { try TestDatabase.create(template: served) }
            let context = "killed at \(Int(fraction * 100))% of \(duration) s"
            try await Self.whileServing(database) {
                let process = try Executables.startETL(arguments(database))
                Thread.sleep(forTimeInterval: duration * fraction)
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                try database.waitForSessionsToEnd()
            }
            // Killed before its switch committed, the run left everything as it was; after, the
            // new catalogue is whole.
            let switched = try await blocking { try Self.completeRuns(database) } > runsBefore
            let digest = try await blocking { try database.catalogueDigest() }
            if !switched {
                #expect(digest == before, "\(context)")
                unchanged += 1
            } else {
                #expect(digest.rows == fresh.rows, "\(context)")
            }
            let again = try await blocking { try runETL(arguments(database)) }
            #expect(again.status == 0, "\(context): \(again.stderr)")
            #expect(try await blocking { try database.catalogueDigest().rows } == fresh.rows, "\(context)")
            try await Self.expectServable(database, context)
        }
        #expect(unchanged >= 8)
    }
}

/// Header lines of the current export.
enum ReplaceHeader {
    static let reviews =
        "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,reviewer_email,response,helpfulness\n"
}
