@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierSchema
import AtelierTestSupport
import Foundation
import NIOCore
import Testing

/// The response cache in a running app: every read route keeps its answer, and writes by
/// this server or anyone else show in the next answers.
@Suite struct ResponseCacheIntegrationTests {
    @Test func everyReadRouteKeepsItsAnswer() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, _ in
            #expect(await eventually { cache.isEnabled })
            for uri in [
                "/products", "/products/1", "/products/1/styles", "/products/1/related", "/reviews?product_id=2",
                "/reviews/meta?product_id=2", "/qa/questions?product_id=1", "/qa/questions/1/answers",
            ] {
                let held = cache.bytesHeld
                let answer = try await client.get(uri)
                #expect(answer.status == .ok, "\(uri)")
                #expect(cache.bytesHeld > held, "\(uri)")
            }
        }
    }

    @Test func aServersOwnWriteShowsInItsNextAnswer() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, _ in
            #expect(await eventually { cache.isEnabled })
            let before = try await client.get("/reviews/meta?product_id=2")
            #expect(try await client.get("/reviews/meta?product_id=2").json == before.json)
            #expect(cache.bytesHeld > 0, "the answer was cached")
            let posted = try await client.request(
                .post, "/reviews",
                body: """
                    {"product_id": 2, "rating": 1, "summary": "s", "body": "\(String(repeating: "b", count: 60))",
                     "recommend": false, "name": "n", "email": "n@example.com", "photos": [], "characteristics": {}}
                    """)
            #expect(posted.status == .created)
            let after = try await client.get("/reviews/meta?product_id=2")
            #expect(Self.oneStarCount(after) == Self.oneStarCount(before) + 1)
        }
    }

    /// Another writer (psql here; another server or the loader alike) changes a table: its
    /// trigger notifies at commit and the cached answer goes.
    @Test func aWriteByAnyoneElseShowsWithinMomentsThroughTheChangeNotification() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, database in
            #expect(await eventually { cache.isEnabled })
            let before = try await client.get("/products/1")
            #expect(cache.bytesHeld > 0)
            _ = try database.rows("UPDATE features SET value = 'Changed elsewhere' WHERE product_id = 1")
            var answer = try await client.get("/products/1")
            for _ in 0..<150 where answer.json == before.json {
                try await Task.sleep(for: .milliseconds(20))
                answer = try await client.get("/products/1")
            }
            guard case .object(let product)? = answer.json, case .array(let features)? = product["features"],
                case .object(let first)? = features.first
            else { Issue.record("no features"); return }
            #expect(first["value"] == .string("Changed elsewhere"))
        }
    }

    @Test func withoutTheChangeTriggersTheCacheStaysOffAndAnswersStayFresh() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        let database = try await Samples.copy()
        _ = try database.rows("DROP TRIGGER reviews_notify_update ON reviews")
        try await APIHarness.withApp(database: ConnectionParameters(connectionString: database.apiURL), cache: cache) {
            client in
            try await Task.sleep(for: .milliseconds(500))
            #expect(!cache.isEnabled)
            let before = try await client.get("/reviews?product_id=2")
            _ = try database.rows("UPDATE reviews SET reported = true WHERE product_id = 2")
            let after = try await client.get("/reviews?product_id=2")
            #expect(before.json != after.json)
            #expect(cache.bytesHeld == 0)
        }
    }

    /// The number of one-star reviews in a `/reviews/meta` answer.
    static func oneStarCount(_ meta: JSONResponse) -> Int {
        guard case .object(let fields)? = meta.json, case .object(let ratings)? = fields["ratings"],
            case .string(let count)? = ratings["1"]
        else { return 0 }
        return Int(count) ?? 0
    }
}
