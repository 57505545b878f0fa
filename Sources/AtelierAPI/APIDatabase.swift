import PostgresNIO

/// The API's way into PostgreSQL: a pooled `PostgresClient`, a deadline on every call, and one
/// rule for failures. The server refusing a statement is a bug of ours (500); anything else
/// (no connection, a lost one, the pool giving up, no answer before the deadline) means the
/// database is unavailable, which the client sees as a 503.
public struct APIDatabase: Sendable {
    public let client: PostgresClient
    /// How long a request waits for the database before it is answered with a 503.
    public let deadline: Duration
    /// Answers of the read routes; off unless a `ChangeListener` is listening for it.
    public let cache: ResponseCache

    public init(client: PostgresClient, deadline: Duration = .seconds(5), cache: ResponseCache = ResponseCache(capacity: 0)) {
        self.client = client
        self.deadline = deadline
        self.cache = cache
    }

    /// Runs a prepared statement and returns its first row, reading (and so releasing) the rest.
    func firstRow<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> Statement.Row?
    where Statement.Row: Sendable {
        try await guarded {
            var first: Statement.Row?
            for try await row in try await client.execute(statement) where first == nil {
                first = row
            }
            return first
        }
    }

    /// Runs `query` and decodes the first column of its first row as `T`.
    func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        try await guarded {
            var first: T?
            for try await row in try await client.query(query) where first == nil {
                first = try row.decode(T.self)
            }
            return first
        }
    }

    /// Runs a write and then drops this server's cached answers built from `tables` (other
    /// servers drop theirs when the tables' triggers notify them at commit).
    func write<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, changing tables: Set<String>, as type: T.Type = T.self) async throws -> T? {
        defer { cache.tablesChanged(tables) }
        return try await scalar(query, as: type)
    }

    /// Whether the database answers a trivial query before the deadline.
    func isAvailable() async -> Bool {
        (try? await scalar("SELECT 1", as: Int32.self)) == 1
    }

    /// Runs `body` against the deadline and maps its failures by the rule above.
    private func guarded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else { throw APIError.databaseUnavailable }
                return value
            }
        } catch let error as PSQLError where error.code == .server && !Self.meansUnavailable(error.serverInfo?[.sqlState]) {
            throw error
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.databaseUnavailable
        }
    }

    /// SQLSTATEs that say the server cannot serve right now: connection exceptions (08),
    /// insufficient resources (53), operator intervention such as a shutdown or the
    /// statement timeout (57), a database or object that is not there yet (3D000, 42P01:
    /// nothing loaded), and the transient failures a retry may not meet: serialization failure
    /// and deadlock (40001, 40P01), a lock not available (55P03).
    static func meansUnavailable(_ sqlState: String?) -> Bool {
        guard let sqlState else { return true }
        return ["08", "53", "57"].contains(String(sqlState.prefix(2)))
            || ["3D000", "42P01", "40001", "40P01", "55P03"].contains(sqlState)
    }
}
