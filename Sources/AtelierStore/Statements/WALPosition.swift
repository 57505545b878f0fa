import PostgresNIO

/// The primary's WAL position now; run right after a write commits on the same connection, a
/// position just past that write (`ClientPosition`). Prepared: it follows every write.
package struct WALPosition: PostgresPreparedStatement {
    package typealias Row = String

    /// A literal: postgres-nio reads the name on every run, and the default reflects the type.
    package static let name = "wal position"
    package static let sql = "SELECT pg_current_wal_insert_lsn()::text"
    package static let bindingDataTypes: [PostgresDataType] = []

    package func makeBindings() throws -> PostgresBindings { PostgresBindings() }

    package func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }

    /// The position, read on `connection`.
    package static func read(on connection: PostgresConnection) async throws -> LSN? {
        var position: LSN?
        for try await text in try await connection.execute(WALPosition(), logger: connection.logger) {
            position = LSN(text)
        }
        return position
    }
}
