import NIOCore

extension APIDatabase {
    /// The JSON document `statement` builds, compact and tagged, or `.missing` when it finds no
    /// row (the id in the request names nothing; a list always finds its row).
    package func document(for statement: some JSONStatement) async throws -> ResponseCache.Answer {
        guard let body = try await firstRow(statement) else { return .missing }
        let compact = JSONCompaction.compact(body)
        return .found(compact, tag: EntityTag.of(compact))
    }

    /// What the response cache says of `statement`'s answer: the answer itself when it holds
    /// one this request may have, else the way its query goes (the router picks the server, and
    /// may rule the cache out for this request). Synchronous, so that a hit costs no
    /// asynchronous frame; a miss goes on with `read(_:route:missingIsAnAnswer:)`.
    package func lookUp<Statement: CachedStatement>(_ statement: Statement) -> CacheLookup {
        let key = statement.cacheKey
        let route = router.route(Statement.self, id: key.id, written: ClientPosition.current?.written)
        guard route != .primaryUncached else { return .miss(route) }
        if let answer = cache.lookup(key) {
            metrics.cacheHits.increment()
            return .hit(answer)
        }
        metrics.cacheMisses.increment()
        return .miss(route)
    }

    /// The cache's answer to `statement` for a request that carries no write of its own (no
    /// `ClientPosition`), counted and routed as `lookUp(_:)` counts and routes a hit; nil when
    /// the cache holds none, counted by nothing, as the request then goes on to `lookUp(_:)`.
    /// Without a client's write the router never rules the cache out.
    package func cachedAnswer<Statement: CachedStatement>(_ statement: Statement) -> ResponseCache.Answer? {
        let key = statement.cacheKey
        guard let answer = cache.lookup(key) else { return nil }
        _ = router.route(Statement.self, id: key.id, written: nil)
        metrics.cacheHits.increment()
        return answer
    }

    /// The answer the cache did not hold, read by `route` and kept there unless the route rules
    /// the cache out; with `missingIsAnAnswer` (a 404, not a bug) a missing row is kept too, so
    /// unknown ids do not reach the database each time.
    package func read<Statement: CachedStatement>(
        _ statement: Statement, route: ReadRouter.Route, missingIsAnAnswer: Bool
    ) async throws -> ResponseCache.Answer {
        let key = statement.cacheKey
        let ticket = route != .primaryUncached ? cache.ticket() : nil
        guard let body = try await readRow(statement, route: route) else {
            if missingIsAnAnswer { cache.store(.missing, for: key, of: Statement.self, ticket: ticket) }
            return .missing
        }
        let compact = JSONCompaction.compact(body)
        let answer = ResponseCache.Answer.found(compact, tag: EntityTag.of(compact))
        cache.store(answer, for: key, of: Statement.self, ticket: ticket)
        return answer
    }

    /// Reads from the replica when routed there; if it does not answer, from the primary.
    private func readRow<Statement: CachedStatement>(_ statement: Statement, route: ReadRouter.Route) async throws
        -> ByteBuffer?
    {
        guard route == .replica, let readPool else { return try await batchedRow(statement, on: pool) }
        metrics.replicaReads.increment()
        do {
            return try await batchedRow(statement, on: readPool)
        } catch StoreError.unavailable {
            router.replicaFailed()
            return try await batchedRow(statement, on: pool)
        }
    }
}
