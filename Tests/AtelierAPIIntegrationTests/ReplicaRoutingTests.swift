@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierTestSupport
#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HTTPTypes
import Testing

/// `--read-database-url` against a real hot standby (`pg-cluster.sh standby`, pg_basebackup of
/// a primary of the suite's own): reads go to the standby, yet nobody reads an answer older
/// than a change the server knows of, or than their own write through another server.
@Suite(.serialized) struct ReplicaRoutingTests {
    struct Pair: Sendable {
        let primary: PrivateCluster
        let standby: (url: String, apiURL: String)
    }

    /// Made while this process holds a connection of its own, which neither server may inherit.
    static let pair = Result {
        let held = try TestDatabase.create().connect()
        let primary = try PrivateCluster(port: 5533)
        let pair = Pair(primary: primary, standby: try primary.startStandby(port: 5534))
        _ = try held.scalar("SELECT 1")
        return pair
    }

    /// The primary, restarted to feed its standby, keeps none of this process's sockets: one it
    /// held would keep a connection this process closes open as a session on the server (a
    /// replaced pool's connection outlived its server in the whole suite that way).
    @Test func thePrimaryHoldsNoSocketOfTheTestProcess() async throws {
        let pair = try await blocking { try Self.pair.get() }
        #expect(try pair.primary.socketsSharedWithThisProcess().isEmpty)
    }

    static func helpfulness(_ answer: JSONResponse, review: Int) -> Int? {
        guard case .object(let page)? = answer.json, case .array(let results)? = page["results"] else { return nil }
        for case .object(let fields) in results {
            if case .integer(review)? = fields["review_id"], case .integer(let count)? = fields["helpfulness"] {
                return count
            }
        }
        return nil
    }

    static func firstReview(of product: Int, in database: TestDatabase) throws -> Int {
        let id = try database.value("SELECT min(id) FROM reviews WHERE product_id = \(product)")
        return try #require(id.flatMap { Int($0) })
    }

    /// Runs `body` with the standby's replay paused; resumes it after.
    static func withReplayPaused(_ pair: Pair, _ body: () async throws -> Void) async throws {
        let standby = try Connection(pair.standby.url)
        try standby.execute("SELECT pg_wal_replay_pause()")
        do {
            try await body()
        } catch {
            try? standby.execute("SELECT pg_wal_replay_resume()")
            throw error
        }
        try standby.execute("SELECT pg_wal_replay_resume()")
    }

    @Test func changedRowsAreReadFromThePrimaryUntilTheReplicaHasReplayedThem() async throws {
        let pair = try await blocking { try Self.pair.get() }
        let router = ReadRouter(hasReplica: true)
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: pair.primary.apiURL),
            readDatabase: ConnectionParameters(connectionString: pair.standby.apiURL), cache: cache, router: router
        ) { client in
            #expect(
                try await eventually {
                    _ = try await client.get("/products/5/styles")
                    return router.isListening && router.lag.bytes == 0 && router.reads.replica > 0
                })
            let primary = TestDatabase(name: "atelier", url: pair.primary.url)
            let review = try Self.firstReview(of: 2, in: primary)
            let other = try Self.firstReview(of: 3, in: primary)
            let before = try #require(Self.helpfulness(try await client.get("/reviews?product_id=2"), review: review))
            try await Self.withReplayPaused(pair) {
                // A write through this server: its next read has it, though the replica does not.
                #expect(try await client.put("/reviews/\(review)/helpful").status == .noContent)
                let after = try await client.get("/reviews?product_id=2")
                #expect(Self.helpfulness(after, review: review) == before + 1)
                let onStandby = TestDatabase(name: "atelier", url: pair.standby.url)
                #expect(try onStandby.value("SELECT helpfulness FROM reviews WHERE id = \(review)") == String(before))
                // A write by psql: read from the primary once the notification is in.
                _ = try primary.value("UPDATE reviews SET helpfulness = 77 WHERE id = \(other)")
                let (readsBefore, updated) = (router.reads, ContinuousClock.now)
                #expect(
                    try await eventually(within: 1) {
                        Self.helpfulness(try await client.get("/reviews?product_id=3"), review: other) == 77
                    },
                    """
                    after \(ContinuousClock.now - updated): reads \(readsBefore) before, \(router.reads) now; \
                    listening \(router.isListening), lag \(router.lag)
                    """)
                // Rows nobody changed are still read from the replica.
                let replicaReads = router.reads.replica
                #expect(try await client.get("/products/7/related").status == .ok)
                #expect(router.reads.replica == replicaReads + 1)
                // The replica stays behind: product 2's reviews keep going to the primary.
                let primaryReads = router.reads.primary
                _ = try await client.get("/reviews/meta?product_id=2")
                #expect(router.reads.primary == primaryReads + 1)
                #expect(router.lag.bytes > 0)
                // /metrics shows the lag as this server sees it.
                let metrics = try await client.get("/metrics").text.split(separator: "\n")
                let lagLine = try #require(metrics.first { $0.hasPrefix("atelier_replica_lag_bytes ") })
                #expect((Double(lagLine.split(separator: " ")[1]) ?? 0) > 0)
                #expect(metrics.contains { $0.hasPrefix("atelier_replica_lag_seconds ") })
                #expect(metrics.contains { $0.hasPrefix("atelier_replica_reads_total ") })
            }
            // Replayed: product 2's reads go to the replica again, and say the same.
            #expect(
                try await eventually {
                    let replicaReads = router.reads.replica
                    let answer = try await client.get("/reviews?product_id=2")
                    return router.reads.replica == replicaReads + 1
                        && Self.helpfulness(answer, review: review) == before + 1
                })
        }
    }

    /// The answer to a write carries its WAL position as a cookie; another server given it
    /// answers from what includes the write even before it has heard of it. Here B has not:
    /// every listener's backend is stopped (B's cannot be told from A's, which may have
    /// reconnected since it was seen), so B's cache still holds the answer from before.
    @Test func aClientReadsItsOwnWritesThroughAnotherServer() async throws {
        let pair = try await blocking { try Self.pair.get() }
        let primary = TestDatabase(name: "atelier", url: pair.primary.url)
        let primaryURL = try ConnectionParameters(connectionString: pair.primary.apiURL)
        let standbyURL = try ConnectionParameters(connectionString: pair.standby.apiURL)
        let listeners = "SELECT pid FROM pg_stat_activity WHERE application_name = 'atelier-serve-listener'"
        let routerA = ReadRouter(hasReplica: true)
        let routerB = ReadRouter(hasReplica: true)
        try await APIHarness.withApp(
            database: primaryURL, readDatabase: standbyURL, cache: ResponseCache(capacity: 16 << 20), router: routerA
        ) { serverA in
            #expect(await eventually { routerA.isListening })
            try await APIHarness.withApp(
                database: primaryURL, readDatabase: standbyURL, cache: ResponseCache(capacity: 16 << 20),
                router: routerB
            ) { serverB in
                #expect(await eventually { routerB.isListening && routerB.lag.bytes == 0 })
                let review = try Self.firstReview(of: 4, in: primary)
                try await Self.withReplayPaused(pair) {
                    for _ in 0..<3 {
                        let before = try #require(
                            Self.helpfulness(try await serverB.get("/reviews?product_id=4"), review: review))
                        // A listener may be reconnecting on a busy machine: wait for both.
                        var stopped: [Int32] = []
                        #expect(
                            try await eventually {
                                stopped = try primary.rows(listeners).compactMap { $0[0].flatMap { Int32($0) } }
                                return stopped.count >= 2
                            }, "both servers' listeners are connected")
                        for listener in stopped { kill(listener, SIGSTOP) }
                        let vote = try await serverA.put("/reviews/\(review)/helpful")
                        #expect(vote.status == .noContent)
                        let cookie = try #require(vote.setCookie?.split(separator: ";").first.map(String.init))
                        #expect(cookie.hasPrefix("atelier_written="))
                        let withCookie = try await serverB.get("/reviews?product_id=4", headers: [.cookie: cookie])
                        let withoutCookie = try await serverB.get("/reviews?product_id=4")
                        for listener in stopped { kill(listener, SIGCONT) }
                        #expect(Self.helpfulness(withCookie, review: review) == before + 1)
                        #expect(Self.helpfulness(withoutCookie, review: review) == before, "B has not heard yet")
                        // Once it hears of the vote, B answers it without the cookie too.
                        #expect(
                            try await eventually {
                                Self.helpfulness(try await serverB.get("/reviews?product_id=4"), review: review)
                                    == before + 1
                            })
                    }
                }
            }
        }
    }
}
