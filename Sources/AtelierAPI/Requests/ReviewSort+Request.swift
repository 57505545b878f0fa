import AtelierStore

extension ReviewQueries.Sort {
    /// Reads `sort` from its query string value (nil when absent: `relevant`); any other word
    /// than the three is a 422.
    init(query text: String?) throws(APIError) {
        guard let text else {
            self = .relevant
            return
        }
        guard let sort = Self(rawValue: text) else { throw .invalid("sort must be one of newest, helpful, relevant") }
        self = sort
    }
}
