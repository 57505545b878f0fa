import Hummingbird

extension APIDatabase {
    /// Answers with the JSON document `statement` builds; `missing` when it finds no row (the
    /// id in the request names nothing; a list always finds its row).
    func answer(_ statement: some JSONStatement, missing: APIError = listWithoutRow) async throws -> Response {
        guard let body = try await firstRow(statement) else { throw missing }
        return .json(JSONCompaction.compact(body))
    }

    /// The same, served from the response cache when it holds the answer, and kept there; a
    /// "names nothing" answer is kept too, so unknown ids do not reach the database each time.
    func answer<Statement: CachedStatement>(_ statement: Statement, missing: APIError = listWithoutRow) async throws
        -> Response
    {
        let key = statement.cacheKey
        switch cache.lookup(key) {
        case .found(let body): return .json(body)
        case .missing: throw missing
        case nil: break
        }
        let ticket = cache.ticket()
        guard let body = try await firstRow(statement) else {
            if missing.status == .notFound { cache.store(.missing, for: key, of: Statement.self, ticket: ticket) }
            throw missing
        }
        let compact = JSONCompaction.compact(body)
        cache.store(.found(compact), for: key, of: Statement.self, ticket: ticket)
        return .json(compact)
    }

    static let listWithoutRow = APIError(.internalServerError, "internal error")
}
