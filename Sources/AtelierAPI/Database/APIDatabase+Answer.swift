import Hummingbird

extension APIDatabase {
    /// Answers with the JSON document `statement` builds; `missing` when it finds no row (the
    /// id in the request names nothing; a list always finds its row).
    func answer(_ statement: some JSONStatement, missing: APIError = listWithoutRow) async throws -> Response {
        guard let body = try await firstRow(statement) else { throw missing }
        return .json(body)
    }

    /// The same, served from the response cache when it holds the answer, and kept there.
    func answer<Statement: CachedStatement>(_ statement: Statement, missing: APIError = listWithoutRow) async throws
        -> Response
    {
        let key = statement.cacheKey
        if let body = cache.lookup(key) { return .json(body) }
        let ticket = cache.ticket()
        guard let body = try await firstRow(statement) else { throw missing }
        cache.store(body, for: key, of: Statement.self, ticket: ticket)
        return .json(body)
    }

    static let listWithoutRow = APIError(.internalServerError, "internal error")
}
