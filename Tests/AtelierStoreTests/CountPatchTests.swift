@testable import AtelierStore
import AtelierCatalog
import NIOCore
import Testing

/// A helpful vote patches the cached review pages it can answer for, byte for byte what
/// PostgreSQL would build, and drops the others.
@Suite struct CountPatchTests {
    /// A page of product 7's reviews as the cache holds it: (id, helpfulness, date) each.
    private static func page(_ reviews: [(Int32, Int32, String)], count: Int = 3) -> ByteBuffer {
        let results = reviews.map { id, helpfulness, date in
            #"{"review_id":\#(id),"rating":4,"summary":"a, \"b\":{[","recommend":true,"response":null,"#
                + #""body":"x","date":"\#(date)","reviewer_name":"n","helpfulness":\#(helpfulness),"#
                + #""photos":[{"id":1,"url":"u"}]}"#
        }
        return ByteBuffer(
            string: #"{"product":"7","page":1,"count":\#(count),"results":["# + results.joined(separator: ",") + "]}")
    }

    private static func vote(_ row: Int32, _ value: Int32) -> TableChange.Count {
        TableChange.Count(row: row, product: 7, value: value)
    }

    private static func patch(
        _ body: ByteBuffer, _ counts: [TableChange.Count], page: Int = 1, size: Int = 3, byCount: Bool = true
    ) -> CountPatch {
        .page(
            body, counts: counts, keys: CountedList.Keys(id: "review_id", count: "helpfulness", date: "date"),
            page: page, size: size, byCount: byCount)
    }

    private static let day1 = "2021-01-01T00:00:00.000Z", day2 = "2021-01-02T00:00:00.000Z"
    private static let day3 = "2021-01-03T00:00:00.000Z"

    @Test func aVoteOnAShownReviewSetsItsCountAndItsPlace() {
        let body = Self.page([(1, 9, Self.day1), (2, 5, Self.day2), (3, 5, Self.day1)])
        #expect(
            Self.patch(body, [Self.vote(3, 6)])
                == .replaced(Self.page([(1, 9, Self.day1), (3, 6, Self.day1), (2, 5, Self.day2)])))
        #expect(
            Self.patch(body, [Self.vote(2, 6)])
                == .replaced(Self.page([(1, 9, Self.day1), (2, 6, Self.day2), (3, 5, Self.day1)])))
        #expect(
            Self.patch(body, [Self.vote(3, 10)])
                == .replaced(Self.page([(3, 10, Self.day1), (1, 9, Self.day1), (2, 5, Self.day2)])))
    }

    @Test func newestFirstKeepsTheOrderOnAnyPage() {
        let body = Self.page([(1, 9, Self.day3), (2, 5, Self.day2), (3, 5, Self.day1)])
        #expect(
            Self.patch(body, [Self.vote(3, 12)], page: 4, byCount: false)
                == .replaced(Self.page([(1, 9, Self.day3), (2, 5, Self.day2), (3, 12, Self.day1)])))
        #expect(Self.patch(body, [Self.vote(8, 100)], page: 4, byCount: false) == .unchanged)
    }

    @Test func aReviewOffTheFirstPageStaysOffUnlessItCountsAsMuchAsTheLast() {
        let full = Self.page([(1, 9, Self.day1), (2, 5, Self.day2), (3, 5, Self.day1)])
        #expect(Self.patch(full, [Self.vote(4, 4)]) == .unchanged)
        #expect(Self.patch(full, [Self.vote(4, 5)]) == .drop)
        let short = Self.page([(1, 9, Self.day1)])
        #expect(Self.patch(short, [Self.vote(4, 50)]) == .unchanged, "not shown on a short page: reported")
    }

    @Test func whatAPatchCannotBeSureOfDrops() {
        let body = Self.page([(1, 9, Self.day1), (2, 5, Self.day2), (3, 4, Self.day2)])
        #expect(Self.patch(body, [Self.vote(1, 9)]) == .unchanged, "the answer already shows it")
        #expect(Self.patch(body, [Self.vote(1, 8)]) == .drop, "older than the answer, or a correction")
        #expect(Self.patch(body, [Self.vote(3, 5)]) == .drop, "equal count and date shown: order unsure")
        #expect(Self.patch(body, [Self.vote(2, 6)], page: 2) == .drop, "may move to the page before")
        #expect(Self.patch(body, [Self.vote(9, 1)], page: 2) == .drop)
        #expect(Self.patch(ByteBuffer(string: #"{"results":[{"review_id":1}]}"#), [Self.vote(1, 2)]) == .drop)
        #expect(Self.patch(ByteBuffer(string: #"{"product":"7","results":[]}"#), [Self.vote(1, 2)]) == .unchanged)
    }

    /// Every cut of an answer short of its results' end is read again, never a crash.
    @Test func aCutAnswerIsReadAgain() {
        let bytes = Array(Self.page([(1, 9, Self.day1), (2, 5, Self.day2)]).readableBytesView)
        for length in 0...(bytes.count - 2) {
            #expect(Self.patch(ByteBuffer(bytes: bytes[..<length]), [Self.vote(1, 10)]) == .drop, "\(length)")
        }
    }

    /// The cache patches in place: the answer keeps its key, gets a new tag, and other
    /// statements' answers about the product are dropped as before.
    @Test func theCachePatchesReviewPagesAndDropsWhatItCannotPatch() throws {
        let cache = ResponseCache(capacity: 1 << 20)
        cache.setEnabled(true)
        let list = ReviewQueries.List(productID: 7, page: Page(page: 1, count: 3), sort: .relevant).cacheKey
        let body = Self.page([(1, 9, Self.day1), (2, 5, Self.day2), (3, 4, Self.day2)])
        cache.store(
            .found(body, tag: EntityTag.of(body)), for: list, of: ReviewQueries.List.self, ticket: cache.ticket())
        let questions = QuestionQueries.List(productID: 7, page: Page(page: 1, count: 3)).cacheKey
        let other = ByteBuffer(string: "{}")
        cache.store(.found(other, tag: "t"), for: questions, of: QuestionQueries.List.self, ticket: cache.ticket())
        let held = cache.bytesHeld

        cache.apply(
            TableChange(
                table: .reviews, products: [7], questions: nil, columns: ["helpfulness"], counts: [Self.vote(2, 10)]))
        let patched = Self.page([(2, 10, Self.day2), (1, 9, Self.day1), (3, 4, Self.day2)])
        #expect(cache.lookup(list) == .found(patched, tag: EntityTag.of(patched)))
        #expect(cache.patched == 1 && cache.bytesHeld == held + 1)

        cache.apply(
            TableChange(
                table: .questions, products: [7], questions: [4], columns: ["helpful"],
                counts: [TableChange.Count(row: 4, product: 7, value: 3)]))
        #expect(cache.lookup(questions) == nil, "an answer without a patch of its own is read again")
        cache.apply(TableChange(table: .reviews, products: [7], questions: nil, columns: ["helpfulness"]))
        #expect(cache.lookup(list) == nil, "a count change without the counts drops")
    }

    @Test func aNotificationCarriesTheCountsOfACountOnlyUpdate() {
        let changes = TableChange.parse(
            notification: #"{"table":"reviews","products":[7],"questions":null,"columns":["helpfulness"],"#
                + #""counts":[1,7,10,2,7,4]}"#)
        #expect(
            changes == [
                TableChange(
                    table: .reviews, products: [7], questions: nil, columns: ["helpfulness"],
                    counts: [Self.vote(1, 10), Self.vote(2, 4)])
            ])
        #expect(
            TableChange.parse(notification: #"{"table":"reviews","products":[7],"counts":[1,7]}"#).count
                == TableName.allCases.count, "a payload it cannot read changes everything")
    }
}
