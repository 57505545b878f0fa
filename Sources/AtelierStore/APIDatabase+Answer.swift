import NIOCore

extension APIDatabase {
    /// The JSON document `statement` builds, compact and tagged, or `.missing` when it finds no
    /// row (the id in the request names nothing; a list always finds its row).
    package func document(for statement: some JSONStatement) async throws -> ResponseCache.Answer {
        guard let body = try await firstRow(statement) else { return .missing }
        let compact = JSONCompaction.compact(body)
        return .found(compact, tag: EntityTag.of(compact))
    }

    /// The same, served from the response cache when it holds the answer, and kept there; with
    /// `missingIsAnAnswer` (a 404, not a bug) a missing row is kept too, so unknown ids do not
    /// reach the database each time. The router picks the server, and may rule the cache out
    /// for this request.
    package func cachedDocument<Statement: CachedStatement>(for statement: Statement, missingIsAnAnswer: Bool)
        async throws -> ResponseCache.Answer
    {
        let key = statement.cacheKey
        let route = router.route(Statement.self, id: key.id, written: ClientPosition.current?.written)
        let cacheable = route != .primaryUncached
        if cacheable {
            if let answer = cache.lookup(key) {
                metrics.cacheHits.increment()
                return answer
            }
            metrics.cacheMisses.increment()
        }
        let ticket = cacheable ? cache.ticket() : nil
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
