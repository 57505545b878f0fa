@testable import AtelierAPI
import AtelierStore
import Hummingbird
import Testing

@Suite struct QueryParametersTests {
    private func query(_ path: String) -> QueryParameters {
        QueryParameters(
            Request(
                head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: path), body: .init(buffer: .init())))
    }

    @Test func readsEachParameterOfOneParse() throws {
        let query = query("/reviews?product_id=%3142&page=2&count=3&sort=newest")
        #expect(try query.id("product_id") == 142)
        #expect(try query.page() == Page(page: 2, count: 3))
        #expect(query["sort"] == "newest")
        #expect(query["missing"] == nil)
    }

    @Test func appliesTheRequestRules() throws {
        #expect(try query("/reviews").page() == Page(page: 1, count: 5))
        #expect(throws: APIError.invalid("product_id is required")) { try query("/reviews?page=1").id("product_id") }
        #expect(throws: APIError.invalid("invalid product_id provided")) {
            try query("/reviews?product_id=0").id("product_id")
        }
        #expect(throws: APIError.invalid("count must be a positive integer")) {
            try query("/qa/questions?count=x").page()
        }
    }
}
