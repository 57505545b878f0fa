/// A failure reported by PostgreSQL or libpq, with the server's SQLSTATE when there is one.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// The five-character SQLSTATE, e.g. `23503` for a foreign-key violation.
    public let sqlState: String?

    public init(_ message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String {
        sqlState.map { "database error \($0): \(message)" } ?? "database error: \(message)"
    }
}
