import Hummingbird

extension APIDatabase {
    /// Answers with the JSON document `statement` builds; `missing` when it finds no row (the
    /// id in the request names nothing; a list always finds its row).
    func answer(_ statement: some JSONStatement, missing: APIError = listWithoutRow) async throws -> Response {
        guard let body = try await firstRow(statement) else { throw missing }
        let compact = JSONCompaction.compact(body)
        return .json(compact, tag: EntityTag.of(compact))
    }

    /// The same, served from the response cache when it holds the answer, and kept there; a
    /// "names nothing" answer is kept too, so unknown ids do not reach the database each time.
    func answer<Statement: CachedStatement>(_ statement: Statement, missing: APIError = listWithoutRow) async throws
        -> Response
    {
        let key = statement.cacheKey
        switch cache.lookup(key) {
        case .found(let body, let tag):
            ServerMetrics.shared.cacheHits.increment()
            return .json(body, tag: tag)
        case .missing:
            ServerMetrics.shared.cacheHits.increment()
            throw missing
        case nil: ServerMetrics.shared.cacheMisses.increment()
        }
        let ticket = cache.ticket()
        guard let body = try await firstRow(statement) else {
            if missing.status == .notFound { cache.store(.missing, for: key, of: Statement.self, ticket: ticket) }
            throw missing
        }
        let compact = JSONCompaction.compact(body)
        let tag = EntityTag.of(compact)
        cache.store(.found(compact, tag: tag), for: key, of: Statement.self, ticket: ticket)
        return .json(compact, tag: tag)
    }

    static let listWithoutRow = APIError(.internalServerError, "internal error")
}
