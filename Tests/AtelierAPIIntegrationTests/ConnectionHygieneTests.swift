@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierSchema
import AtelierLoader
import AtelierTestSupport
import NIOConcurrencyHelpers
import Foundation
import Testing

/// Limits that keep the server healthy under clients and writers it does not control.
@Suite struct ConnectionHygieneTests {
    /// A pool that cannot lend a connection for its ping while PostgreSQL accepts new ones is
    /// replaced; the replaced one finishes its requests. When the server stops, every pool ends
    /// with it, a replaced one included: no connection of it stays open until its grace ends.
    @Test func aReplacedPoolEndsWithTheServer() async throws {
        let database = try await Samples.copy()
        let lock = try database.connect()
        try lock.execute(
            "SET idle_in_transaction_session_timeout = '30s'; BEGIN; SELECT 1 FROM reviews WHERE id = 1 FOR UPDATE")
        let lockHolder = lock.backendPID
        let watched = NIOLockedValueBox<DatabasePool?>(nil)
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: database.apiURL), deadline: .seconds(30), poolSize: 1,
            watchPool: { pool in watched.withLockedValue { $0 = pool } }
        ) { client in
            let pool = try #require(watched.withLockedValue { $0 })
            // The vote holds the only connection, waiting on the row lock.
            async let vote = client.put("/reviews/1/helpful")
            // A judgement takes a tick, a 2 s ping and a 2 s probe. Beside the whole suite a
            // probe's new connection can miss its 2 s and judgements come late, so it may take
            // several; the bound stays within the vote's 30 s deadline.
            #expect(await eventually(within: 25) { pool.replacements >= 1 })
            _ = try database.value("SELECT pg_terminate_backend(\(lockHolder))")
            #expect(try await vote.status == .noContent)
        }
        // Well before the replaced pool's grace (the deadline and a second) would end it.
        try await blocking { try database.waitForSessionsToEnd(of: "atelier-serve", seconds: 5) }
    }

    /// Past `--max-waiting` requests waiting for a connection, a request is answered 503 at
    /// once instead of joining a growing queue.
    @Test func requestsPastTheWaitingBoundAre503AtOnce() async throws {
        let database = try await Samples.copy()
        let lock = try database.connect()
        try lock.execute(
            "SET idle_in_transaction_session_timeout = '30s'; BEGIN; LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE")
        let lockHolder = lock.backendPID
        // The deadline is long: with its only connection stuck the pool may be replaced, and the
        // replaced one ends a second after the deadline, with the stuck request.
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: database.apiURL), deadline: .seconds(30),
            poolSize: 1, maximumWaiting: 1
        ) { client in
            // One request holds the only connection (stuck behind the lock), one waits for it.
            async let stuck = client.get("/reviews?product_id=2")
            #expect(
                await eventually {
                    (try? database.value(
                        """
                        SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'reviews'::regclass
                        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        """)) == "1"
                })
            async let waiting = client.get("/reviews/meta?product_id=2")
            try await Task.sleep(for: .milliseconds(500))
            let start = ContinuousClock.now
            let refused = try await client.get("/products/1")
            // Well before the 30 s a queued request would wait (a busy test machine takes a moment).
            #expect(ContinuousClock.now - start < .seconds(3))
            refused.expectError(503, "the server is busy, try again shortly")
            _ = try database.value("SELECT pg_terminate_backend(\(lockHolder))")
            let (waited, held) = try await (waiting, stuck)
            #expect(waited.status.code == 200, "\(waited.error ?? "")")
            #expect(held.status.code == 200, "\(held.error ?? "")")
        }
    }

    /// An idle keep-alive connection is closed after `--idle-timeout`.
    @Test func anIdleKeepAliveConnectionIsClosed() async throws {
        let database = try await Samples.copy()
        let server = try ServerProcess(arguments: ["--database-url", database.apiURL, "--idle-timeout", "1"])
        try await server.waitUntilHealthy()
        let connection = try RawHTTPConnection(port: server.port, timeout: 5)
        #expect(connection.send(RawHTTPConnection.get("/health", headers: ["Connection: keep-alive"])))
        let answer = try await connection.answers(1).first
        #expect(answer?.status == 200 && answer?.body == #"{"status":"ok"}"#)
        // Then nothing: the server closes the connection (recv sees the end) after about a second.
        let closed = try await connection.closedByServer()
        #expect(closed.map { $0 < .seconds(4) } == true, "closed after \(String(describing: closed))")
    }

    /// The pool opens its `--pool-size` connections at the start and keeps them: requests reuse
    /// them, one that ends is replaced, and a connection going back to the pool costs no idle or
    /// keep-alive timer (each such timer holds memory until it would have fired).
    @Test func thePoolKeepsItsConnectionsOpenAndReusesThem() async throws {
        let database = try await Samples.copy()
        let server = try ServerProcess(arguments: [
            "--database-url", database.apiURL, "--pool-size", "3", "--cache-size", "0",
        ])
        try await server.waitUntilHealthy()
        let backends = """
            SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity
            WHERE datname = '\(database.name)' AND application_name = 'atelier-serve'
            """
        #expect(await eventually { (try? database.value(backends))?.split(separator: ",").count == 3 })
        let opened = try database.value(backends)
        for id in 1...30 { #expect(try await server.request("GET", "/products/\(id % 5 + 1)") == 200) }
        #expect(try database.value(backends) == opened)
        // A connection that ends is opened again.
        let ended = try #require(opened?.split(separator: ",").first)
        _ = try database.value("SELECT pg_terminate_backend(\(ended))")
        #expect(
            await eventually {
                let now = (try? database.value(backends))?.split(separator: ",") ?? []
                return now.count == 3 && !now.contains(ended)
            })
        server.signal(SIGTERM)
        #expect(await server.waitForExit() == 0)
    }

    /// Reloading product.csv while reviews are posted: each POST is stored or answered 503
    /// (it waited for the reload's locks, or deadlocked with it); never a 500.
    @Test func postsDuringAReloadAreStoredOr503NeverA500() async throws {
        let database = try await Samples.copy()
        let statuses = NIOLockedStatuses()
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: database.apiURL),
            deadline: .seconds(2)
        ) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 {
                            let posted = try await client.post("/reviews", jsonBody(ReviewRouteTests.validReview))
                            statuses.append(Int(posted.status.code))
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<3 {
                        _ = try await blocking {
                            try database.load(
                                Repository.samples + "/product.csv", Repository.samples + "/reviews.csv",
                                options: LoadOptions(cascade: true, allowShrink: true))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let seen = statuses.values
        #expect(seen.count == 100)
        #expect(Set(seen).isSubset(of: [201, 503]), "\(Set(seen))")
        #expect(seen.contains(201))
    }
}

/// Statuses collected from concurrent requests.
final class NIOLockedStatuses: Sendable {
    private let box = NIOLockedValueBox<[Int]>([])
    func append(_ status: Int) { box.withLockedValue { $0.append(status) } }
    var values: [Int] { box.withLockedValue { $0 } }
}
