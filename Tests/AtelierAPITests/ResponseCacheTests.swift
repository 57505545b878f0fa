@testable import AtelierAPI
import AtelierPostgres
import AtelierSchema
import AtelierTestSupport
import Foundation
import NIOCore
import Testing

/// Every cached statement, so that none escapes the checks below.
let cachedStatements: [any CachedStatement.Type] = [
    ProductQueries.List.self, ProductQueries.Detail.self, ProductQueries.Styles.self, ProductQueries.Related.self,
    ReviewQueries.List.self, ReviewQueries.Meta.self, QuestionQueries.List.self, QuestionQueries.Answers.self,
]

/// Waits up to `seconds` for `condition`; false if it never held.
func eventually(within seconds: Double = 5, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

@Suite struct ResponseCacheTests {
    /// A stale answer would follow from a table missing here: the list must name every table
    /// the SQL reads, and nothing else.
    @Test(arguments: cachedStatements.indices)
    func tablesReadAreExactlyTheTablesInTheSQL(_ index: Int) throws {
        let statement = cachedStatements[index]
        let regex = try NSRegularExpression(pattern: #"\b(?:FROM|JOIN)\s+([a-z_]+)"#)
        let sql = statement.sql
        let named = Set(regex.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)).compactMap { match in
            Range(match.range(at: 1), in: sql).map { String(sql[$0]) }
        })
        #expect(statement.tablesRead == named, "\(statement)")
        #expect(RouteSQL.readRoutes.contains { $0.sql == sql }, "\(statement) is listed for --print-sql")
    }

    @Test func anAnswerReadBeforeAChangeIsNotStoredAfterIt() {
        let cache = ResponseCache(capacity: 1 << 20)
        let key = ProductQueries.Detail(id: 1).cacheKey
        #expect(cache.ticket() == nil, "off until the listener turns it on")
        cache.setEnabled(true)
        let ticket = cache.ticket()
        cache.tablesChanged(["features"])
        cache.store(ByteBuffer(string: "old"), for: key, of: ProductQueries.Detail.self, ticket: ticket)
        #expect(cache.lookup(key) == nil)
        cache.store(ByteBuffer(string: "new"), for: key, of: ProductQueries.Detail.self, ticket: cache.ticket())
        #expect(cache.lookup(key) == ByteBuffer(string: "new"))
        cache.setEnabled(false)
        #expect(cache.lookup(key) == nil && cache.bytesHeld == 0)
    }

    @Test func aChangeDropsTheAnswersOfEveryStatementReadingTheTableOnly() {
        let cache = ResponseCache(capacity: 1 << 20)
        cache.setEnabled(true)
        let detail = ProductQueries.Detail(id: 1).cacheKey, meta = ReviewQueries.Meta(id: 1).cacheKey
        let newest = ReviewQueries.List(id: 1, page: Page(page: 1, count: 5), sort: .newest).cacheKey
        let helpful = ReviewQueries.List(id: 1, page: Page(page: 1, count: 5), sort: .helpful).cacheKey
        #expect(newest != helpful)
        cache.store(ByteBuffer(string: "d"), for: detail, of: ProductQueries.Detail.self, ticket: cache.ticket())
        cache.store(ByteBuffer(string: "m"), for: meta, of: ReviewQueries.Meta.self, ticket: cache.ticket())
        cache.store(ByteBuffer(string: "n"), for: newest, of: ReviewQueries.List.self, ticket: cache.ticket())
        cache.tablesChanged(["characteristic_reviews"])
        #expect(cache.lookup(meta) == nil)
        #expect(cache.lookup(detail) != nil && cache.lookup(newest) != nil)
        cache.tablesChanged(["product"])
        #expect(cache.lookup(detail) == nil && cache.lookup(newest) == nil && cache.bytesHeld == 0)
    }

    @Test func theByteBudgetHoldsByEvictingTheOldestAnswers() {
        let cache = ResponseCache(capacity: 64 * 1024)
        cache.setEnabled(true)
        let body = ByteBuffer(repeating: 0x41, count: 1000)
        for id in 1...200 {
            cache.store(body, for: ProductQueries.Styles(id: Int32(id)).cacheKey, of: ProductQueries.Styles.self, ticket: cache.ticket())
            #expect(cache.bytesHeld <= 64 * 1024)
        }
        #expect(cache.lookup(ProductQueries.Styles(id: 1).cacheKey) == nil)
        #expect(cache.lookup(ProductQueries.Styles(id: 200).cacheKey) == body)
        cache.store(ByteBuffer(repeating: 0x41, count: 10_000), for: ProductQueries.Styles(id: 999).cacheKey,
                    of: ProductQueries.Styles.self, ticket: cache.ticket())
        #expect(cache.lookup(ProductQueries.Styles(id: 999).cacheKey) == nil, "one answer may take at most an eighth")
    }

    /// The number of one-star reviews in a `/reviews/meta` answer.
    static func oneStarCount(_ meta: JSONResponse) -> Int {
        guard case .object(let fields)? = meta.json, case .object(let ratings)? = fields["ratings"],
              case .string(let count)? = ratings["1"] else { return 0 }
        return Int(count) ?? 0
    }

    @Test func everyReadRouteKeepsItsAnswer() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, _ in
            #expect(await eventually { cache.isEnabled })
            for uri in ["/products", "/products/1", "/products/1/styles", "/products/1/related", "/reviews?product_id=2",
                        "/reviews/meta?product_id=2", "/qa/questions?product_id=1", "/qa/questions/1/answers"] {
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
            let posted = try await client.request(.post, "/reviews", body: """
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
                  case .object(let first)? = features.first else { Issue.record("no features"); return }
            #expect(first["value"] == .string("Changed elsewhere"))
        }
    }

    @Test func withoutTheChangeTriggersTheCacheStaysOffAndAnswersStayFresh() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        let database = try TestDatabase.create(template: Samples.template.get())
        _ = try database.rows("DROP TRIGGER reviews_notify_change ON reviews")
        try await APIHarness.withApp(database: ConnectionParameters(connectionString: database.apiURL), cache: cache) { client in
            try await Task.sleep(for: .milliseconds(500))
            #expect(!cache.isEnabled)
            let before = try await client.get("/reviews?product_id=2")
            _ = try database.rows("UPDATE reviews SET reported = true WHERE product_id = 2")
            let after = try await client.get("/reviews?product_id=2")
            #expect(before.json != after.json)
            #expect(cache.bytesHeld == 0)
        }
    }
}
