#if canImport(Glibc)
    import Glibc
#endif
@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierSchema
import AtelierTestSupport
import Foundation
import Testing

/// The change listener has a connection of its own and watches it: a listener whose server
/// stops answering, or a trigger disabled, turns the cache off within seconds, and it comes
/// back on by itself once things are right again.
@Suite struct ChangeListenerTests {
    /// The listener's backend on `database` (other than `except`).
    static func listenerPID(_ database: TestDatabase, except: Int32 = 0) throws -> Int32? {
        try database.value(
            """
            SELECT pid FROM pg_stat_activity WHERE datname = '\(database.name)' AND application_name = 'atelier-serve-listener'
            AND pid <> \(except)
            """
        ).flatMap { Int32($0) }
    }

    @Test func aListenerWhoseServerStopsAnsweringIsNoticedAndReplaced() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, database in
            #expect(await eventually { cache.isEnabled })
            let frozen = try #require(try Self.listenerPID(database))
            // The backend stops answering while its connection stays open: as a TCP flow
            // dropped silently looks from the server's side.
            kill(frozen, SIGSTOP)
            defer { kill(frozen, SIGCONT) }
            let stopped = ContinuousClock.now
            #expect(await eventually(within: 20) { !cache.isEnabled })
            // The heartbeat's interval and timeout take 3 s; the rest is room for a loaded machine
            // (the exact timing is `ListenerHeartbeatTests`').
            #expect(ContinuousClock.now - stopped < .seconds(10))
            let answer = try await client.get("/products/1")
            #expect(answer.status == .ok)
            #expect(cache.bytesHeld == 0, "nothing is stored while the cache is off")
            // A new listener connection (a new backend) turns it back on.
            #expect(
                await eventually(within: 30) {
                    cache.isEnabled && (try? Self.listenerPID(database, except: frozen)) != nil
                })
        }
    }

    @Test func aDisabledOrMissingTriggerTurnsTheCacheOffUntilItIsBack() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, database in
            #expect(await eventually { cache.isEnabled })
            _ = try database.rows("ALTER TABLE reviews DISABLE TRIGGER reviews_notify_update")
            #expect(await eventually(within: 20) { !cache.isEnabled })
            // Enabled only for origin sessions is not enough: a replica-role session would not notify.
            _ = try database.rows("ALTER TABLE reviews ENABLE TRIGGER reviews_notify_update")
            try await Task.sleep(for: .seconds(3))
            #expect(!cache.isEnabled)
            _ = try database.rows("ALTER TABLE reviews ENABLE ALWAYS TRIGGER reviews_notify_update")
            #expect(await eventually(within: 20) { cache.isEnabled })
            let answer = try await client.get("/reviews?product_id=2")
            #expect(answer.status == .ok)
        }
    }

    /// A session with `session_replication_role = replica` (a replication tool, a bulk fix)
    /// skips ordinary triggers; the change triggers fire ALWAYS.
    @Test func aReplicaRoleSessionsWriteStillDropsTheCachedAnswer() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, database in
            #expect(await eventually { cache.isEnabled })
            let before = try await client.get("/reviews?product_id=2")
            #expect(cache.bytesHeld > 0)
            try database.connect().execute(
                "SET session_replication_role = replica; UPDATE reviews SET reported = true WHERE product_id = 2")
            #expect(await eventually { (try? await client.get("/reviews?product_id=2").json) != before.json })
        }
    }

    /// The update trigger names the columns a statement changed: a helpful vote made in psql
    /// drops the product's reviews and keeps its meta, which reads no helpfulness; a change of a
    /// rating drops the meta too.
    @Test func anUpdateDropsOnlyTheAnswersReadingAColumnItChanged() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, database in
            #expect(await eventually { cache.isEnabled })
            let reviews = try await client.get("/reviews?product_id=2&sort=newest")
            #expect(try await client.get("/reviews/meta?product_id=2").status == .ok)
            let meta = ReviewQueries.Meta(productID: 2).cacheKey
            #expect(cache.lookup(meta) != nil)
            let review = try #require(
                try database.value("SELECT min(id) FROM reviews WHERE product_id = 2 AND NOT reported"))
            _ = try database.rows("UPDATE reviews SET helpfulness = helpfulness + 1 WHERE id = \(review)")
            #expect(
                await eventually { (try? await client.get("/reviews?product_id=2&sort=newest").json) != reviews.json })
            #expect(cache.lookup(meta) != nil, "the vote kept the meta answer")
            _ = try database.rows("UPDATE reviews SET rating = 6 - rating WHERE id = \(review)")
            #expect(await eventually { cache.lookup(meta) == nil })
        }
    }

    /// With a pool of one connection every route still answers: the listener is not in the pool.
    @Test func aPoolOfOneServesEveryRoute() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        let database = try await Samples.copy()
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: database.apiURL), cache: cache,
            poolSize: 1
        ) { client in
            #expect(await eventually { cache.isEnabled })
            for uri in [
                "/products", "/products/1", "/products/1/styles", "/products/1/related", "/reviews?product_id=2",
                "/reviews/meta?product_id=2", "/qa/questions?product_id=1", "/qa/questions/1/answers", "/health",
            ] {
                let answer = try await client.get(uri)
                #expect(answer.status == .ok, "\(uri)")
            }
        }
    }
}
