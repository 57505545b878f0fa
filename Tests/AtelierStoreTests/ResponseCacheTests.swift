@testable import AtelierStore
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

    /// A stale answer would follow from a column missing here: where a statement names the
    /// columns it reads of a table, its SQL reads no other column of that table (such a
    /// statement qualifies every column with the table's alias, which this relies on).
    @Test(arguments: cachedStatements.indices)
    func columnsReadAreTheOnlyColumnsTheSQLReads(_ index: Int) throws {
        let statement = cachedStatements[index]
        let sql = statement.sql
        for (table, columns) in statement.columnsRead {
            let aliases = try NSRegularExpression(pattern: #"\b(?:FROM|JOIN)\s+\#(table.rawValue)\s+([a-z]+)"#)
                .matches(in: sql, range: NSRange(sql.startIndex..., in: sql))
                .compactMap { Range($0.range(at: 1), in: sql).map { String(sql[$0]) } }
            #expect(!aliases.isEmpty, "\(statement) reads \(table) under an alias")
            for alias in Set(aliases) {
                let used = try NSRegularExpression(pattern: #"\b\#(alias)\.([a-z_*]+)"#)
                    .matches(in: sql, range: NSRange(sql.startIndex..., in: sql))
                    .compactMap { Range($0.range(at: 1), in: sql).map { String(sql[$0]) } }
                #expect(
                    Set(used).isSubset(of: columns), "\(statement) reads \(Set(used).subtracting(columns)) of \(table)")
            }
        }
    }

    private static let page = Page(page: 1, count: 5)

    /// A cache with one answer stored for each key, each body naming its key.
    private static func filled(_ keys: [(CacheKey, any CachedStatement.Type)]) -> ResponseCache {
        let cache = ResponseCache(capacity: 1 << 20)
        cache.setEnabled(true)
        for (key, statement) in keys { store(cache, key, statement, "\(key)") }
        return cache
    }

    private static func store(
        _ cache: ResponseCache, _ key: CacheKey, _ statement: any CachedStatement.Type, _ body: String,
        ticket: UInt64? = nil
    ) {
        func open<Statement: CachedStatement>(_ type: Statement.Type) {
            cache.store(
                .found(ByteBuffer(string: body), tag: "t"), for: key, of: type, ticket: ticket ?? cache.ticket())
        }
        open(statement)
    }

    @Test func anAnswerReadBeforeAChangeOfItsRowIsNotStoredAfterIt() {
        let cache = ResponseCache(capacity: 1 << 20)
        let meta1 = ReviewQueries.Meta(productID: 1).cacheKey, meta2 = ReviewQueries.Meta(productID: 2).cacheKey
        #expect(cache.ticket() == nil, "off until the listener turns it on")
        cache.setEnabled(true)
        let ticket = cache.ticket()
        cache.apply(TableChange(table: .reviews, products: [1], questions: nil))
        Self.store(cache, meta1, ReviewQueries.Meta.self, "old", ticket: ticket)
        Self.store(cache, meta2, ReviewQueries.Meta.self, "other", ticket: ticket)
        #expect(cache.lookup(meta1) == nil)
        #expect(
            cache.lookup(meta2) == .found(ByteBuffer(string: "other"), tag: "t"),
            "another product's answer is unaffected")
        Self.store(cache, meta1, ReviewQueries.Meta.self, "new")
        #expect(cache.lookup(meta1) == .found(ByteBuffer(string: "new"), tag: "t"))
        let late = cache.ticket()
        cache.tablesChanged([.characteristics])
        Self.store(cache, meta2, ReviewQueries.Meta.self, "stale", ticket: late)
        #expect(cache.lookup(meta2) == nil, "a whole-table change refuses every answer read before it")
        cache.setEnabled(false)
        #expect(cache.lookup(meta1) == nil && cache.bytesHeld == 0)
    }

    @Test func aVoteDropsOnlyItsProductsReviewsAndMeta() {
        let list1 = ReviewQueries.List(productID: 1, page: Self.page, sort: .newest).cacheKey
        let helpful1 = ReviewQueries.List(productID: 1, page: Self.page, sort: .helpful).cacheKey
        let list2 = ReviewQueries.List(productID: 2, page: Self.page, sort: .newest).cacheKey
        let meta1 = ReviewQueries.Meta(productID: 1).cacheKey, meta2 = ReviewQueries.Meta(productID: 2).cacheKey
        let detail1 = ProductQueries.Detail(productID: 1).cacheKey
        let cache = Self.filled([
            (list1, ReviewQueries.List.self), (helpful1, ReviewQueries.List.self), (list2, ReviewQueries.List.self),
            (meta1, ReviewQueries.Meta.self), (meta2, ReviewQueries.Meta.self), (detail1, ProductQueries.Detail.self),
        ])
        #expect(list1 != helpful1)
        cache.apply(TableChange(table: .reviews, products: [1], questions: nil))
        #expect(cache.lookup(list1) == nil && cache.lookup(helpful1) == nil && cache.lookup(meta1) == nil)
        #expect(cache.lookup(list2) != nil && cache.lookup(meta2) != nil && cache.lookup(detail1) != nil)
        #expect(cache.answerCount == 3)
    }

    /// An UPDATE names the columns it changed: a helpful vote keeps the product's meta (which
    /// reads no helpfulness) and drops its reviews; a report drops both.
    @Test func anUpdateDropsOnlyTheAnswersThatReadAColumnItChanged() {
        let list1 = ReviewQueries.List(productID: 1, page: Self.page, sort: .helpful).cacheKey
        let meta1 = ReviewQueries.Meta(productID: 1).cacheKey
        let cache = Self.filled([(list1, ReviewQueries.List.self), (meta1, ReviewQueries.Meta.self)])
        cache.apply(TableChange(table: .reviews, products: [1], questions: nil, columns: ["helpfulness"]))
        #expect(cache.lookup(list1) == nil && cache.lookup(meta1) != nil)
        Self.store(cache, list1, ReviewQueries.List.self, "again")
        cache.apply(TableChange(table: .reviews, products: [1], questions: nil, columns: []))
        #expect(cache.lookup(list1) == nil, "a statement that reads the whole table drops on any UPDATE")
        #expect(cache.lookup(meta1) != nil)
        cache.apply(TableChange(table: .reviews, products: [1], questions: nil, columns: ["helpfulness", "reported"]))
        #expect(cache.lookup(meta1) == nil)
        #expect(
            FeedbackQueries.single(.init(target: .review, action: .helpful), id: 1).changes(
                Write.Row(id: 1, product: 1, question: nil)
            )
            .map(\.columns) == [["helpfulness"]])
        #expect(
            FeedbackQueries.single(.init(target: .answer, action: .report), id: 1).changes(
                Write.Row(id: 1, product: 1, question: 2)
            )
            .map(\.columns) == [["reported"]])
    }

    @Test func aNewAnswerDropsItsQuestionsAnswersAndItsProductsQuestions() {
        let answers5 = QuestionQueries.Answers(questionID: 5, page: Self.page).cacheKey
        let answers6 = QuestionQueries.Answers(questionID: 6, page: Self.page).cacheKey
        let questions1 = QuestionQueries.List(productID: 1, page: Self.page).cacheKey
        let questions2 = QuestionQueries.List(productID: 2, page: Self.page).cacheKey
        let cache = Self.filled([
            (answers5, QuestionQueries.Answers.self), (answers6, QuestionQueries.Answers.self),
            (questions1, QuestionQueries.List.self), (questions2, QuestionQueries.List.self),
        ])
        cache.apply(TableChange(table: .answersPhotos, products: [1], questions: [5]))
        #expect(cache.lookup(answers5) == nil && cache.lookup(questions1) == nil)
        #expect(cache.lookup(answers6) != nil && cache.lookup(questions2) != nil)
    }

    @Test func aCartWriteDropsNothingAndABulkChangeDropsTheTable() {
        let detail = ProductQueries.Detail(productID: 1).cacheKey, styles = ProductQueries.Styles(productID: 1).cacheKey
        let list = ProductQueries.List(page: Self.page).cacheKey
        let cache = Self.filled([
            (detail, ProductQueries.Detail.self), (styles, ProductQueries.Styles.self),
            (list, ProductQueries.List.self),
        ])
        cache.apply(.whole(.cart))
        #expect(cache.answerCount == 3)
        cache.apply(TableChange(table: .product, products: [2], questions: nil))
        #expect(cache.lookup(list) == nil, "a list of products is about no one product: any product change drops it")
        #expect(cache.lookup(detail) != nil && cache.lookup(styles) != nil)
        cache.apply(.whole(.features))
        #expect(cache.lookup(detail) == nil && cache.lookup(styles) != nil)
    }

    @Test func unknownIdsAreCachedUntilAChangeBringsTheRow() {
        let cache = Self.filled([])
        let key = ProductQueries.Detail(productID: 7).cacheKey
        cache.store(.missing, for: key, of: ProductQueries.Detail.self, ticket: cache.ticket())
        #expect(cache.lookup(key) == .missing)
        #expect(cache.bytesHeld == ResponseCache.entryOverhead)
        cache.apply(TableChange(table: .product, products: [7], questions: nil))
        #expect(cache.lookup(key) == nil && cache.bytesHeld == 0)
    }

    @Test func notificationsParse() {
        #expect(TableChange.parse(notification: "reviews") == [.whole(.reviews)])
        #expect(
            TableChange.parse(notification: #"{"table" : "answers", "products" : [1,2], "questions" : null}"#)
                == [TableChange(table: .answers, products: [1, 2], questions: nil)])
        #expect(
            TableChange.parse(
                notification:
                    #"{"table" : "reviews", "products" : [3], "questions" : null, "columns" : ["helpfulness"]}"#)
                == [TableChange(table: .reviews, products: [3], questions: nil, columns: ["helpfulness"])])
        #expect(TableChange.parse(notification: "no_such_table") == TableName.allCases.map(TableChange.whole))
        #expect(
            TableChange.parse(
                notification:
                    "{\n\t\"columns\":[],\"questions\":[ -4 , 2147483647 ],\"products\":null,\"table\":\"answers\"} ")
                == [TableChange(table: .answers, products: nil, questions: [-4, 2_147_483_647], columns: [])])
    }

    /// What the payload reader cannot read in full changes every table: never a narrower change
    /// than the payload meant.
    @Test(arguments: [
        #"{"table" : "reviews", "products" : [2147483648], "questions" : null}"#,
        #"{"table" : "reviews", "products" : [1,], "questions" : null}"#,
        #"{"table" : "reviews", "products" : [1], "questions" : null, "rows" : 3}"#,
        #"{"table" : "reviews", "products" : [1], "questions" : null, "columns" : ["r\u0061ting"]}"#,
        #"{"table" : "reviews", "products" : [1], "questions" : null} x"#,
        #"{"table" : "reviews", "products" : [1.5], "questions" : null}"#,
        #"{"products" : [1], "questions" : null}"#,
        #"{"table" : "reviews", "products" : [1], "questions" : nul"#,
        "",
    ])
    func unreadablePayloadsChangeEverything(payload: String) {
        #expect(TableChange.parse(notification: payload) == TableName.allCases.map(TableChange.whole))
    }

    /// The reader agrees with a general JSON decoder on payloads written in every layout.
    @Test func payloadsReadAsJSONDecoderReadsThem() throws {
        struct Decoded: Decodable {
            let table: String
            let products: [Int32]?
            let questions: [Int32]?
            let columns: [String]?
        }
        var random = SystemRandomNumberGenerator()
        let names = ["helpfulness", "rating", "body", "reported"]
        for _ in 0..<500 {
            let space = [" ", "", "\n", " \t"].randomElement(using: &random)!
            func ids() -> String {
                Bool.random(using: &random)
                    ? "null"
                    : "["
                        + (0..<Int.random(in: 0...4, using: &random)).map { _ in
                            String(Int32.random(in: Int32.min...Int32.max, using: &random))
                        }.joined(separator: "," + space) + "]"
            }
            var members = [
                "\"table\"\(space):\(space)\"\(TableName.allCases.randomElement(using: &random)!.rawValue)\"",
                "\"products\"\(space):\(space)\(ids())",
                "\"questions\":\(ids())",
            ]
            if Bool.random(using: &random) {
                let columns = names.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random))
                members.append("\"columns\" : [" + columns.map { "\"\($0)\"" }.joined(separator: ",") + "]")
            }
            let payload = "{" + space + members.shuffled(using: &random).joined(separator: "," + space) + space + "}"
            let decoded = try JSONDecoder().decode(Decoded.self, from: Data(payload.utf8))
            #expect(
                TableChange.parse(notification: payload) == [
                    TableChange(
                        table: TableName(rawValue: decoded.table)!, products: decoded.products,
                        questions: decoded.questions, columns: decoded.columns.map(Set.init))
                ], "\(payload)")
        }
    }

    /// Change stamps are bounded: past the limit they are forgotten, and every ticket taken
    /// before is refused rather than trusted.
    @Test func forgottenStampsRefuseOlderTickets() {
        let cache = Self.filled([])
        let ticket = cache.ticket()
        let changed = (1...Int32(ResponseCache.maximumStamps + 1)).map { $0 }
        cache.apply(TableChange(table: .reviews, products: changed, questions: nil))
        let untouched = ReviewQueries.Meta(productID: -1).cacheKey
        Self.store(cache, untouched, ReviewQueries.Meta.self, "old", ticket: ticket)
        #expect(cache.lookup(untouched) == nil)
        Self.store(cache, untouched, ReviewQueries.Meta.self, "new")
        #expect(cache.lookup(untouched) != nil)
    }

    @Test func theByteBudgetHoldsByEvictingTheOldestAnswers() {
        let cache = ResponseCache(capacity: 64 * 1024)
        cache.setEnabled(true)
        let body = ByteBuffer(repeating: 0x41, count: 1000)
        for id in 1...200 {
            cache.store(
                .found(body, tag: "t"), for: ProductQueries.Styles(productID: Int32(id)).cacheKey,
                of: ProductQueries.Styles.self,
                ticket: cache.ticket())
            #expect(cache.bytesHeld <= 64 * 1024)
        }
        #expect(cache.lookup(ProductQueries.Styles(productID: 1).cacheKey) == nil)
        #expect(cache.lookup(ProductQueries.Styles(productID: 200).cacheKey) == .found(body, tag: "t"))
        cache.store(
            .found(ByteBuffer(repeating: 0x41, count: 10_000), tag: "t"),
            for: ProductQueries.Styles(productID: 999).cacheKey,
            of: ProductQueries.Styles.self, ticket: cache.ticket())
        #expect(
            cache.lookup(ProductQueries.Styles(productID: 999).cacheKey) == nil, "one answer may take at most an eighth"
        )
    }

    /// An answer is counted at its allocation when stored; eviction and drops must give back the
    /// same amount, or the count drifts, the cache holds fewer and fewer answers and empties at once.
    @Test func evictionGivesBackWhatStoringCounted() {
        let cache = ResponseCache(capacity: 64 * 1024)
        cache.setEnabled(true)
        let body = ByteBuffer(repeating: 0x41, count: 600)
        for id in 1...2000 {
            let key = ProductQueries.Styles(productID: Int32(id)).cacheKey
            cache.store(.found(body, tag: "t"), for: key, of: ProductQueries.Styles.self, ticket: cache.ticket())
            if id % 7 == 0 { cache.apply(TableChange(table: .skus, products: [Int32(id)], questions: nil)) }
        }
        let held = (1...2000).filter { cache.lookup(ProductQueries.Styles(productID: Int32($0)).cacheKey) != nil }
        let stored = body.readableBytes + ResponseCache.entryOverhead
        #expect(held.allSatisfy { $0 > 1900 && $0 % 7 != 0 }, "the newest answers are the ones kept")
        #expect(held.count >= 64 * 1024 / stored - 8)
        #expect(cache.answerCount == held.count)
        // Dropping every answer gives back exactly what is counted: any drift is left over.
        // (Each answer's allocation may differ by the allocator's rounding, so only the total
        // after dropping all is exact.)
        cache.tablesChanged([.skus])
        #expect(cache.bytesHeld == 0 && cache.answerCount == 0, "\(cache.bytesHeld) bytes left")
    }

    /// A vote drops its product's answers and the next read stores them again, for as long as
    /// the server runs: the eviction queue must not keep an entry for every store since the
    /// start, or the drops that tidy it scan ever more of it under the lock every hit takes.
    @Test func theEvictionQueueHoldsOneEntryPerAnswer() {
        let cache = Self.filled([])
        let keys = (1...100).map { ReviewQueries.Meta(productID: Int32($0)).cacheKey }
        for key in keys { Self.store(cache, key, ReviewQueries.Meta.self, "answer") }
        for round in 1...50 {
            for (index, key) in keys.enumerated() {
                cache.apply(TableChange(table: .reviews, products: [Int32(index + 1)], questions: nil))
                Self.store(cache, key, ReviewQueries.Meta.self, "answer \(round)")
            }
        }
        #expect(cache.answerCount == 100)
        let queue = cache.evictionQueue
        #expect(queue.entries <= 2 * 100 + 1024, "\(queue.entries) entries queued")
        #expect(queue.sweeps <= 50 * 100 / 1124, "\(queue.sweeps) sweeps of the whole queue")
    }

    /// An answer stored again, after a drop or while still held, is evicted in the order of its
    /// latest store, not of the store its old queue entry recorded.
    @Test func aStoredAgainAnswerIsEvictedByItsLatestStore() {
        let body = ByteBuffer(repeating: 0x41, count: 1000)
        let stored = body.readableBytes + ResponseCache.entryOverhead
        let cache = ResponseCache(capacity: 8 * stored)
        cache.setEnabled(true)
        func store(_ id: Int32) {
            cache.store(
                .found(body, tag: "t"), for: ProductQueries.Styles(productID: id).cacheKey,
                of: ProductQueries.Styles.self, ticket: cache.ticket())
        }
        for id: Int32 in 1...8 { store(id) }
        cache.apply(TableChange(table: .skus, products: [1], questions: nil))
        store(1)
        store(9)
        #expect(cache.lookup(ProductQueries.Styles(productID: 1).cacheKey) != nil, "stored last but one")
        #expect(cache.lookup(ProductQueries.Styles(productID: 2).cacheKey) == nil, "the oldest store goes")
        store(3)
        store(10)
        #expect(cache.lookup(ProductQueries.Styles(productID: 3).cacheKey) != nil, "stored again while held")
        #expect(cache.lookup(ProductQueries.Styles(productID: 4).cacheKey) == nil, "the oldest store goes")
        #expect(cache.answerCount == 8)
    }

    /// An answer counts its bytes, not the power of two a ByteBuffer of them would reserve: a
    /// body of 1,100 bytes costs the budget 1,100, not 2,048, so more answers fit.
    @Test func anAnswerCountsItsBytesNotAPowerOfTwo() {
        let cache = ResponseCache(capacity: 1 << 20)
        cache.setEnabled(true)
        let body = ByteBuffer(repeating: 0x41, count: 1100)
        let key = ProductQueries.Styles(productID: 1).cacheKey
        cache.store(.found(body, tag: "t"), for: key, of: ProductQueries.Styles.self, ticket: cache.ticket())
        #expect(cache.bytesHeld == 1100 + ResponseCache.entryOverhead)
        #expect(cache.lookup(key) == .found(body, tag: "t"))
    }

    /// A hit costs no copy: every hit shares the one allocation the answer was stored in, which
    /// is not the body it was given (that may pin a connection's whole read buffer).
    @Test func hitsShareTheStoredBytes() {
        let cache = ResponseCache(capacity: 1 << 20)
        cache.setEnabled(true)
        var body = ByteBuffer(repeating: 0x20, count: 4096)
        body.writeString("{\"id\":1}")
        body.moveReaderIndex(forwardBy: 4096)
        let key = ProductQueries.Detail(productID: 1).cacheKey
        cache.store(.found(body, tag: "t"), for: key, of: ProductQueries.Detail.self, ticket: cache.ticket())
        func address(_ answer: ResponseCache.Answer?) -> UnsafeRawPointer? {
            guard case .found(let bytes, _) = answer else { return nil }
            return bytes.withUnsafeReadableBytes { $0.baseAddress.map(UnsafeRawPointer.init) }
        }
        let first = address(cache.lookup(key)), second = address(cache.lookup(key))
        #expect(first != nil && first == second)
        #expect(first != address(.found(body, tag: "t")))
        #expect(cache.lookup(key) == .found(ByteBuffer(string: "{\"id\":1}"), tag: "t"))
        #expect(cache.bytesHeld == 8 + ResponseCache.entryOverhead)
    }
}
