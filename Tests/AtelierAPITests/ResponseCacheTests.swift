@testable import AtelierAPI
import AtelierCatalog
import Foundation
import NIOCore
import Testing

/// Every cached statement, so that none escapes the checks below.
let cachedStatements: [any CachedStatement.Type] = [
    ProductQueries.List.self, ProductQueries.Detail.self, ProductQueries.Styles.self, ProductQueries.Related.self,
    ReviewQueries.List.self, ReviewQueries.Meta.self, QuestionQueries.List.self, QuestionQueries.Answers.self,
]

@Suite struct ResponseCacheTests {
    /// A stale answer would follow from a table missing here: the list must name every table
    /// the SQL reads, and nothing else.
    @Test(arguments: cachedStatements.indices)
    func tablesReadAreExactlyTheTablesInTheSQL(_ index: Int) throws {
        let statement = cachedStatements[index]
        let regex = try NSRegularExpression(pattern: #"\b(?:FROM|JOIN)\s+([a-z_]+)"#)
        let sql = statement.sql
        let named = Set(
            regex.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)).compactMap { match in
                Range(match.range(at: 1), in: sql).map { String(sql[$0]) }
            })
        #expect(Set(statement.tablesRead.map(\.rawValue)) == named, "\(statement)")
        #expect(RouteSQL.readRoutes.contains { $0.sql == sql }, "\(statement) is listed for --print-sql")
    }

    @Test func anAnswerReadBeforeAChangeIsNotStoredAfterIt() {
        let cache = ResponseCache(capacity: 1 << 20)
        let key = ProductQueries.Detail(productID: 1).cacheKey
        #expect(cache.ticket() == nil, "off until the listener turns it on")
        cache.setEnabled(true)
        let ticket = cache.ticket()
        cache.tablesChanged([.features])
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
        let detail = ProductQueries.Detail(productID: 1).cacheKey, meta = ReviewQueries.Meta(productID: 1).cacheKey
        let newest = ReviewQueries.List(productID: 1, page: Page(page: 1, count: 5), sort: .newest).cacheKey
        let helpful = ReviewQueries.List(productID: 1, page: Page(page: 1, count: 5), sort: .helpful).cacheKey
        #expect(newest != helpful)
        cache.store(ByteBuffer(string: "d"), for: detail, of: ProductQueries.Detail.self, ticket: cache.ticket())
        cache.store(ByteBuffer(string: "m"), for: meta, of: ReviewQueries.Meta.self, ticket: cache.ticket())
        cache.store(ByteBuffer(string: "n"), for: newest, of: ReviewQueries.List.self, ticket: cache.ticket())
        cache.tablesChanged([.characteristicReviews])
        #expect(cache.lookup(meta) == nil)
        #expect(cache.lookup(detail) != nil && cache.lookup(newest) != nil)
        cache.tablesChanged([.product])
        #expect(cache.lookup(detail) == nil && cache.lookup(newest) == nil && cache.bytesHeld == 0)
    }

    @Test func theByteBudgetHoldsByEvictingTheOldestAnswers() {
        let cache = ResponseCache(capacity: 64 * 1024)
        cache.setEnabled(true)
        let body = ByteBuffer(repeating: 0x41, count: 1000)
        for id in 1...200 {
            cache.store(
                body, for: ProductQueries.Styles(productID: Int32(id)).cacheKey, of: ProductQueries.Styles.self,
                ticket: cache.ticket())
            #expect(cache.bytesHeld <= 64 * 1024)
        }
        #expect(cache.lookup(ProductQueries.Styles(productID: 1).cacheKey) == nil)
        #expect(cache.lookup(ProductQueries.Styles(productID: 200).cacheKey) == body)
        cache.store(
            ByteBuffer(repeating: 0x41, count: 10_000), for: ProductQueries.Styles(productID: 999).cacheKey,
            of: ProductQueries.Styles.self, ticket: cache.ticket())
        #expect(
            cache.lookup(ProductQueries.Styles(productID: 999).cacheKey) == nil, "one answer may take at most an eighth"
        )
    }

    /// An answer is counted at its allocation when stored; eviction must give back the same amount,
    /// or the count drifts up, the cache holds fewer and fewer answers and finally empties at once.
    @Test func evictionGivesBackWhatStoringCounted() {
        let cache = ResponseCache(capacity: 64 * 1024)
        cache.setEnabled(true)
        let body = ByteBuffer(repeating: 0x41, count: 600)
        for id in 1...2000 {
            cache.store(
                body, for: ProductQueries.Styles(productID: Int32(id)).cacheKey, of: ProductQueries.Styles.self,
                ticket: cache.ticket())
        }
        let held = (1...2000).filter { cache.lookup(ProductQueries.Styles(productID: Int32($0)).cacheKey) != nil }
        let stored = ByteBuffer(bytes: body.readableBytesView).capacity + ResponseCache.entryOverhead
        #expect(held == Array((2001 - held.count)...2000), "the newest answers are the ones kept")
        #expect(held.count == 64 * 1024 / stored)
        #expect(cache.bytesHeld == held.count * stored)
    }
}
