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
    }

    /// The changes a committed write made, one per table written.
    package func changes(product: Int32?, question: Int32?) -> [TableChange] {
        tablesWritten.map { table in
            TableChange(
                table: table, products: product.map { [$0] }, questions: question.map { [$0] }, columns: columnsWritten)
        }
    }
}
