import AtelierCatalog
import PostgresNIO

/// The cart routes' SQL. The cart export's `product_id` column holds sku ids (the legacy
/// service's naming); the API calls them `sku_id`.
package enum CartQueries {
    /// `GET /cart`: the shopper's active items as `[{"sku_id", "count"}]` in sku order.
    /// `$1` is the shopper's session.
    package struct Items: ByIDStatement {
        package static let sql = """
            SELECT \(SQL.orEmpty("""
                SELECT json_agg(json_build_object('sku_id', item.sku_id, 'count', item.count) ORDER BY item.sku_id)
                FROM (SELECT c.product_id AS sku_id, count(*) AS count FROM cart c
                      WHERE c.user_session = $1 AND c.active GROUP BY c.product_id) item
                """, "[]"))
            """

        /// The shopper's session, bound as `$1`.
        let session: Int32

        package init(session: Int32) {
            self.session = session
        }
        package var rowID: Int32 { session }
    }

    /// `POST /cart`: adds one of the sku, or returns no row when there is no such sku.
    package static func add(skuID: Int32, session: Int32) -> Write {
        Write(
            query: """
                INSERT INTO cart (user_session, product_id, active)
                SELECT \(session), k.id, true FROM skus k WHERE k.id = \(skuID)
                RETURNING id, NULL::int4, NULL::int4
                """, tablesWritten: [.cart])
    }
}
