import AtelierStore

/// `page` and `count` read by the contract's rules: page from 1 (default 1), count default 5
/// and served as at most 1000; anything that is not a positive integer is a 422.
extension Page {
    /// Reads `page` and `count` from the query string values (nil when absent).
    init(page pageText: String?, count countText: String?) throws(APIError) {
        var page = 1
        if let pageText {
            guard let value = PositiveInteger(pageText), value.fits(atMost: Self.maximumPage) else {
                throw .invalid("page must be a positive integer no larger than \(Self.maximumPage)")
            }
            page = value.clamped(to: Self.maximumPage)
        }
        var count = Self.defaultCount
        if let countText {
            guard let value = PositiveInteger(countText) else { throw .invalid("count must be a positive integer") }
            count = value.clamped(to: Self.maximumCount)
        }
        self.init(page: page, count: count)
    }
}
