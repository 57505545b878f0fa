#if canImport(Glibc)
    import Glibc
#endif
@testable import AtelierAPI
import AtelierPostgres
import AtelierSchema
import AtelierLoader
import AtelierTestSupport
import Foundation
import Testing

/// A load that fails at any statement, or whose process is killed at any moment, leaves a
/// database that `verify` passes and where the API's next insert works: above all, no id
/// sequence is left behind rows that stay (`setval` is not transactional).
@Suite(.serialized) struct LoaderFaultTests {
    /// The samples plus three reviews the API added after long service (ids past a million),
    /// so the table holds ids far past any file's.
    static func served() async throws -> TestDatabase {
        let database = try await Samples.copy()
        _ = try database.value("SELECT setval(pg_get_serial_sequence('reviews', 'id'), 1000000)")
        try await APIHarness.withApp(database: ConnectionParameters(connectionString: database.apiURL)) { client in
            for _ in 0..<3 {
                let posted = try await client.post("/reviews", jsonBody(ReviewRouteTests.validReview))
                #expect(posted.status == .created)
            }
        }
        // It becomes a template: no session of the server may linger on it. Once (CI, two
        // test processes at once) a pooled session outlived its in-process server by 30 s.
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

    /// `atelier-etl load reviews.csv --cascade --allow-shrink`, as a run, on `database`; with
    /// `endAt`, the loader's backend is terminated as the first statement of that kind is sent.
    /// Returns the kinds of statement sent, in order, and whether every file loaded.
    static func reload(_ database: TestDatabase, endingTheBackendAt endAt: String? = nil) throws -> (
        kinds: [String], loaded: Bool
    ) {
        let connection = try database.connect()
        let killer = try database.connect()
        var kinds: [String] = []
        connection.willSend = { sql in
            let kind = Self.kind(of: sql)
            if !kinds.contains(kind) { kinds.append(kind) }
            guard kind == endAt, kinds.last == kind else { return }
            let pid = String(connection.backendPID)
            _ = try? killer.query("SELECT pg_terminate_backend($1)", [pid])
            while (try? killer.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [pid])) != "0" {
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        let loader = FileLoader(
            connection: connection,
            options: LoadOptions(
                cascade: true, allowShrink: true, rejectDirectory: try Repository.temporaryDirectory()))
        var loaded = true
        loader.load(files: [Repository.samples + "/reviews.csv"]) { outcome in
            if case .failure = outcome { loaded = false }
            return true
        }
        return (kinds, loaded)
    }

    /// Every check of verify passes, and the API's POST /reviews answers 201.
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
        let (kinds, loaded) = try await blocking { try Self.reload(try TestDatabase.create(template: served)) }
        #expect(loaded)
        // The load's statements include the cascade and the sequence move.
        #expect(kinds.contains { $0.hasPrefix("TRUNCATE ?, ?") })
        #expect(kinds.contains { $0.hasPrefix("SELECT setval(") })
        #expect(kinds.count >= 15)
        for kind in kinds {
            let database = try await blocking { try TestDatabase.create(template: served) }
            let outcome = try await blocking { try Self.reload(database, endingTheBackendAt: kind) }
            // Ending the backend at the run's last statement leaves the file loaded.
            #expect(!outcome.loaded || kind.hasPrefix("UPDATE \(Schema.runsTable)"), "\(kind)")
            try await Self.expectServable(database, "backend ended at: \(kind)")
        }
    }

    @Test func killingTheLoaderProcessAtAnyMoment() async throws {
        let served = try await Self.served()
        // A reviews file big enough to take a while: every product, ids past the API's.
        let rows = (1...40_000).map { id in
            "\(id),\(id % 30 + 1),\(id % 5 + 1),1596080481467,\"Summary \(id)\",\"A body long enough to take some time to load.\",true,false,\"name\",\"a@b.co\",null,\(id % 7)"
        }
        let folder = try Repository.folder(["reviews.csv": ReplaceHeader.reviews + rows.joined(separator: "\n") + "\n"])
        let arguments = { (database: TestDatabase) in
            [
                "load", folder + "/reviews.csv", "--cascade", "--allow-shrink", "--database-url", database.url,
                "--reject-dir", folder,
            ]
        }
        let timed = try await blocking { try TestDatabase.create(template: served) }
        let started = Date()
        let whole = try Executables.startETL(arguments(timed))
        let status = try await blocking {
            whole.waitUntilExit()
            return whole.terminationStatus
        }
        #expect(status == 0)
        let duration = Date().timeIntervalSince(started)
        for fraction in [0.1, 0.3, 0.5, 0.7, 0.9, 0.98] {
            let database = try await blocking { try TestDatabase.create(template: served) }
            let process = try Executables.startETL(arguments(database))
            try await Task.sleep(for: .seconds(duration * fraction))
            kill(process.processIdentifier, SIGKILL)
            try await blocking {
                process.waitUntilExit()
                try database.waitForSessionsToEnd()
            }
            try await Self.expectServable(database, "killed at \(Int(fraction * 100))% of \(duration) s")
        }
    }
}

/// Header lines of the current export.
enum ReplaceHeader {
    static let reviews =
        "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,reviewer_email,response,helpfulness\n"
}
