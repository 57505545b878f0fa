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
    /// The router picks the server, and may rule the cache out for this request.
    func answer<Statement: CachedStatement>(_ statement: Statement, missing: APIError = listWithoutRow) async throws
        -> Response
    {
        let key = statement.cacheKey
        let route = router.route(Statement.self, id: key.id, written: ClientPosition.current?.written)
        let cacheable = route != .primaryUncached
        if cacheable {
            switch cache.lookup(key) {
            case .found(let body, let tag):
                metrics.cacheHits.increment()
                return .json(body, tag: tag)
            case .missing:
                metrics.cacheHits.increment()
                throw missing
            case nil: metrics.cacheMisses.increment()
            }
        }
        let ticket = cacheable ? cache.ticket() : nil
        let body = try await readRow(statement, route: route)
        guard let body else {
            if missing.status == .notFound { cache.store(.missing, for: key, of: Statement.self, ticket: ticket) }
            throw missing
        }
        let compact = JSONCompaction.compact(body)
        let tag = EntityTag.of(compact)
        cache.store(.found(compact, tag: tag), for: key, of: Statement.self, ticket: ticket)
        return .json(compact, tag: tag)
    }

    /// Reads from the replica when routed there; if it does not answer, from the primary.
    private func readRow<Statement: CachedStatement>(_ statement: Statement, route: ReadRouter.Route) async throws
        -> ByteBuffer?
    {
        guard route == .replica, let readPool else { return try await batchedRow(statement, on: pool) }
        metrics.replicaReads.increment()
        do {
            return try await batchedRow(statement, on: readPool)
        } catch let error as APIError where error == .databaseUnavailable {
            router.replicaFailed()
            return try await batchedRow(statement, on: pool)
        }
    }

    static let listWithoutRow = APIError(.internalServerError, "internal error")
}
