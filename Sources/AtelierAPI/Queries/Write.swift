import AtelierCatalog
import PostgresNIO

/// A statement that changes catalogue rows, with every table it writes, so that the response
/// cache drops what it changes (a test checks the tables against the SQL). It returns the id
/// of the row written, or no row when what it refers to does not exist.
struct Write: Sendable {
    let query: PostgresQuery
    let tablesWritten: Set<TableName>
}
