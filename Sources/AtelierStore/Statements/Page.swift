/// `page` and `count` of a list request: page from 1, count at most `maximumCount`
/// (`AtelierAPI` reads them from the query string by the contract's rules).
package struct Page: Sendable, Equatable {
    package static let defaultCount = 5
    package static let maximumCount = 1000
    /// Pages beyond this are refused, so that the offset always fits in a bigint
    /// (2^53 - 1, the largest integer a JavaScript storefront can send exactly).
    package static let maximumPage = 9_007_199_254_740_991

    package let page: Int
    package let count: Int

    package var offset: Int { (page - 1) * count }

    package init(page: Int, count: Int) {
        self.page = page
        self.count = count
    }
}
