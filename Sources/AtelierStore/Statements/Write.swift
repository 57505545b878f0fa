import AtelierCatalog
import PostgresNIO

/// A statement that changes catalogue rows, with every table it writes (a test checks them
/// against the SQL). It returns one row, `id, product, question`: the id of the row written and
/// the product and question it belongs to (NULL where it belongs to none), so that this server
/// drops exactly the cached answers it changed; no row when what it refers to does not exist
/// (a group of feedback PUTs returns one such row per row it changed).
package struct Write: Sendable {
    package let query: PostgresQuery
    package let tablesWritten: Set<TableName>
    /// For an UPDATE, the columns it sets; nil when it adds rows.
    package var columnsWritten: Set<String>? = nil

    /// A row the statement returns.
    package struct Row: Sendable, Equatable {
        let id: Int32
        let product: Int32?
        let question: Int32?
        /// The value the write left in its one count column (a helpful vote's group); nil
        /// when not returned.
        var count: Int32? = nil
    }

    /// The changes a committed write made to `row`, one per table written.
    package func changes(_ row: Write.Row) -> [TableChange] {
        tablesWritten.map { table in
            var counts: [TableChange.Count]?
            if let value = row.count, let product = row.product, columnsWritten?.count == 1 {
                counts = [TableChange.Count(row: row.id, product: product, value: value)]
            }
            return TableChange(
                table: table, products: row.product.map { [$0] }, questions: row.question.map { [$0] },
                columns: columnsWritten, counts: counts)
        }
    }
}
