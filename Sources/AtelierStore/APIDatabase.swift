import PostgresNIO

/// The API's way into PostgreSQL: the supervised pool, a deadline on every call, and one rule
/// for failures. The server refusing a statement is a bug of ours (500), unless it is one of
/// the transient refusals (`meansUnavailable`); anything else (no connection, a lost one, no
/// answer before the deadline) is `StoreError.unavailable`, and too many requests waiting
/// `StoreError.busy`; the API answers both with a 503.
public struct APIDatabase: Sendable {
    public let pool: DatabasePool
    /// The replica's pool (`--read-database-url`), for the reads `router` sends there.
    public let readPool: DatabasePool?
    /// How long a request waits for the database before it is given up (`StoreError.unavailable`).
    public let deadline: Duration
    /// Answers of the read routes; off unless a `ChangeListener` is listening for it.
    public let cache: ResponseCache
    /// Where each cacheable read goes: the replica, the primary, or the primary uncached.
    public let router: ReadRouter
    /// Groups the read routes' statements into batches under load; nil runs each alone.
    package let batcher: StatementBatcher<ByteBuffer?>?
    /// Groups the feedback PUTs of one kind under load, one group at a time (`feedback`).
    package let feedbackBatcher: StatementBatcher<FeedbackOutcome>?
    /// Where the cache, the batches and the replica's reads are counted (`GET /metrics`).
    public let metrics: ServerMetrics

    /// `batchesPerRoute`: how many batches of one read route's statement may run at once on a
    /// pool (`StatementBatcher`); 0 runs each request's statement alone, feedback PUTs too.
    public init(
        pool: DatabasePool, readPool: DatabasePool? = nil, deadline: Duration = .seconds(5),
        cache: ResponseCache = ResponseCache(capacity: 0), router: ReadRouter? = nil, batchesPerRoute: Int = 2,
        metrics: ServerMetrics = ServerMetrics()
    ) {
        self.metrics = metrics
        self.pool = pool
        self.readPool = readPool
        self.deadline = deadline
        self.cache = cache
        self.router = router ?? ReadRouter(hasReplica: readPool != nil)
        batcher = batchesPerRoute > 0 ? StatementBatcher(concurrency: batchesPerRoute) : nil
        feedbackBatcher = batchesPerRoute > 0 ? StatementBatcher(concurrency: 1) : nil
    }

    /// Runs a prepared statement and returns its first row, reading (and so releasing) the rest;
    /// on the primary unless given the replica's pool.
    package func firstRow<Statement: PostgresPreparedStatement>(_ statement: Statement, on pool: DatabasePool? = nil)
        async throws -> Statement.Row?
    where Statement.Row: Sendable, Statement: Sendable {
        try await guarded(on: pool ?? self.pool) { connection in
            var first: Statement.Row?
            for try await row in try await connection.execute(statement, logger: connection.logger) where first == nil {
                first = row
            }
            return first
        }
    }

    /// Runs a read route's statement in a batch with others of its kind (`StatementBatcher`) and
    /// returns its row, from `pool`.
    package func batchedRow<Statement: JSONStatement>(_ statement: Statement, on pool: DatabasePool) async throws
        -> ByteBuffer?
    {
        guard let batcher else { return try await firstRow(statement, on: pool) }
        try pool.admit()
        let key = StatementBatchKey(statement: .read(ObjectIdentifier(Statement.self)), pool: ObjectIdentifier(pool))
        return try await batcher.answer(statement.values, due: pool.clock.now + deadline, key: key) { members, due in
            metrics.batches.increment()
            metrics.batchedReads.increment(by: Int64(members.count))
            let batch = BatchStatement<Statement>(members: members)
            let outcome = await pool.withConnection(until: due) { connection in
                var bodies = [ByteBuffer?](repeating: nil, count: members.count)
                for try await (position, body) in try await connection.execute(batch, logger: connection.logger) {
                    guard bodies.indices.contains(position - 1) else {
                        throw StoreError.unexpectedAnswer("a batch member without its row")
                    }
                    bodies[position - 1] = body
                }
                return bodies
            }
            return settle(outcome, on: pool, requests: members.count)
        }
    }

    /// Runs `query` and decodes the first column of its first row as `T`.
    package func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws
        -> T?
    {
        try await guarded(on: pool) { connection in
            var first: T?
            for try await row in try await connection.query(query, logger: connection.logger) where first == nil {
                first = try row.decode(T.self)
            }
            return first
        }
    }

    /// Runs a write and then drops this server's cached answers about the rows it changed
    /// (other servers drop theirs when the tables' triggers notify them at commit); when the
    /// outcome is unknown (an error, the deadline), all answers built from the tables it writes.
    /// The router reads those rows from the primary until the replica has them, and the
    /// request's answer carries the WAL position past the write (`ClientPosition`).
    /// Returns the id of the row written, nil when what it refers to does not exist.
    package func write(_ write: Write) async throws -> Int32? {
        let rows: [Write.Row]
        let position: LSN?
        do {
            (rows, position) = try await guarded(on: pool) { connection in try await Self.run(write, on: connection) }
        } catch {
            unknownOutcome(of: write)
            throw error
        }
        committed(write, row: rows.first, position: position)
        return rows.first?.id
    }

    /// Runs `write` and reads the WAL position just past its commit.
    private static func run(_ write: Write, on connection: PostgresConnection) async throws -> (
        rows: [Write.Row], position: LSN?
    ) {
        var rows: [Write.Row] = []
        let written = try await connection.query(write.query, logger: connection.logger)
        for try await (id, product, question) in written.decode((Int32, Int32?, Int32?).self) {
            rows.append(Write.Row(id: id, product: product, question: question))
        }
        return (rows, try await WALPosition.read(on: connection))
    }

    /// After `write` committed: the request's answer carries the position past it, and this
    /// server drops its answers about `row`.
    package func committed(_ write: Write, row: Write.Row?, position: LSN?) {
        if let position { ClientPosition.current?.recordWrite(at: position) }
        guard let row else { return }
        for change in write.changes(row) { apply(change) }
    }

    /// After `write` failed, committed or not: every answer built from its tables goes.
    package func unknownOutcome(of write: Write) {
        for table in write.tablesWritten { apply(.whole(table)) }
    }

    private func apply(_ change: TableChange) {
        cache.apply(change)
        router.changed(change)
    }

    /// Whether the database answers a trivial query before the deadline.
    package func isAvailable() async -> Bool {
        (try? await scalar("SELECT 1", as: Int32.self)) == 1
    }

    /// Runs `body` on a pooled connection against the deadline and maps its failures by the
    /// rule above. At the deadline the request is answered at once, and the connection it was
    /// using is closed (`DatabasePool.withConnection`).
    private func guarded<T: Sendable>(
        on pool: DatabasePool, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try pool.admit()
        let outcome = await pool.withConnection(deadline: deadline, body)
        return try settle(outcome, on: pool, requests: 1).get()
    }

    /// What `requests` admitted requests get from one call's outcome (nil: past the deadline),
    /// by the rule above; the pool learns whether they reached the database.
    package func settle<T>(_ outcome: Result<T, any Error>?, on pool: DatabasePool, requests: Int) -> Result<
        T, any Error
    > {
        guard let outcome else {
            pool.finish(reachedDatabase: false, requests: requests)
            pool.logger.debug("no answer from the database within \(deadline)")
            return .failure(StoreError.unavailable)
        }
        switch outcome {
        case .success(let value):
            pool.finish(reachedDatabase: true, requests: requests)
            return .success(value)
        case .failure(let error):
            pool.finish(
                reachedDatabase: error is StoreError || (error as? PSQLError)?.code == .server, requests: requests)
            let translated = Self.translate(error)
            if let storeError = translated as? StoreError, storeError == .unavailable {
                pool.logger.debug("database unavailable: \(String(reflecting: error))")
            }
            return .failure(translated)
        }
    }

    /// A failure as the client sees it: our own errors as they are, a statement the server
    /// refused for a reason of its own (a bug of ours) as it is, anything else unavailable.
    package static func translate(_ error: any Error) -> any Error {
        if let error = error as? StoreError { return error }
        if let error = error as? PSQLError, error.code == .server, !meansUnavailable(error.serverInfo?[.sqlState]) {
            return error
        }
        return StoreError.unavailable
    }

    /// SQLSTATEs that say the server cannot serve right now: connection exceptions (08),
    /// insufficient resources (53), operator intervention such as a shutdown or the
    /// statement timeout (57), a database or object that is not there yet (3D000, 42P01:
    /// nothing loaded), and the transient failures a retry may not meet: serialization failure
    /// and deadlock (40001, 40P01), a lock not available (55P03).
    package static func meansUnavailable(_ sqlState: String?) -> Bool {
        guard let sqlState else { return true }
        return ["08", "53", "57"].contains(String(sqlState.prefix(2)))
            || ["3D000", "42P01", "40001", "40P01", "55P03"].contains(sqlState)
    }
}
