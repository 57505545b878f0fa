import AtelierCatalog
import PostgresNIO

/// The product routes' SQL and JSON shapes. Each statement builds the whole answer in one
/// round trip and returns no row when the product does not exist.
package enum ProductQueries {
    /// `GET /products`: a bare array of products ordered by id. `$1` count, `$2` offset.
    package struct List: CachedStatement {
        package static let tablesRead: Set<TableName> = [.product]
        package static let keySpace: CacheKeySpace? = nil
        package var cacheKey: CacheKey { CacheKey(Self.self, page: page.page, count: page.count) }
        package static let sql = """
            SELECT \(SQL.orEmpty("""
                SELECT json_agg(json_build_object('id', p.id, 'name', p.name, 'slogan', p.slogan,
                    'description', p.description, 'category', p.category, 'default_price', p.default_price::text)
                    ORDER BY p.id)
                FROM (SELECT * FROM product ORDER BY id LIMIT $1 OFFSET $2) p
                """, "[]"))
            """
        package static let parameterKinds: [StatementValue.Kind] = [.int8, .int8]

        let page: Page

        package init(page: Page) {
            self.page = page
        }
        package var values: [StatementValue] { [.int8(Int64(page.count)), .int8(Int64(page.offset))] }
    }

    /// `GET /products/:product_id`: the product and its features in id order.
    package struct Detail: ByIDStatement, CachedStatement {
        package static let tablesRead: Set<TableName> = [.product, .features]
        package static let keySpace: CacheKeySpace? = .product
        package static let sql = """
            SELECT json_build_object('id', p.id, 'name', p.name, 'slogan', p.slogan, 'description', p.description,
                'category', p.category, 'default_price', p.default_price::text,
                'features', \(SQL.orEmpty("""
                    SELECT json_agg(json_build_object('feature', f.feature, 'value', f.value) ORDER BY f.id)
                    FROM features f WHERE f.product_id = p.id
                    """, "[]")))
            FROM product p WHERE p.id = $1
            """

        /// The product, bound as `$1`.
        let productID: Int32

        package init(productID: Int32) {
            self.productID = productID
        }
        package var rowID: Int32 { productID }
    }

    /// `GET /products/:product_id/styles`: styles in id order with photos in id order and skus
    /// keyed by id; a style without photos or skus gets the legacy service's placeholders.
    package struct Styles: ByIDStatement, CachedStatement {
        package static let tablesRead: Set<TableName> = [.product, .styles, .photos, .skus]
        package static let keySpace: CacheKeySpace? = .product
        static let noPhotos = #"[{"thumbnail_url": null, "url": null}]"#
        static let noSkus = #"{"null": {"quantity": null, "size": null}}"#
        package static let sql = """
            SELECT json_build_object('product_id', p.id::text, 'results', \(SQL.orEmpty("""
                SELECT json_agg(json_build_object('style_id', s.id, 'name', s.name,
                    'original_price', s.original_price::text, 'sale_price', s.sale_price::text,
                    'default?', s.default_style,
                    'photos', \(SQL.orEmpty("""
                        SELECT json_agg(json_build_object('thumbnail_url', ph.thumbnail_url, 'url', ph.url) ORDER BY ph.id)
                        FROM photos ph WHERE ph.style_id = s.id
                        """, noPhotos)),
                    'skus', \(SQL.orEmpty("""
                        SELECT json_object_agg(k.id::text, json_build_object('quantity', k.quantity, 'size', k.size) ORDER BY k.id)
                        FROM skus k WHERE k.style_id = s.id
                        """, noSkus)))
                    ORDER BY s.id)
                FROM styles s WHERE s.product_id = p.id
                """, "[]")))
            FROM product p WHERE p.id = $1
            """

        /// The product, bound as `$1`.
        let productID: Int32

        package init(productID: Int32) {
            self.productID = productID
        }
        package var rowID: Int32 { productID }
    }

    /// `GET /products/:product_id/related`: related product ids in the order of the rows.
    package struct Related: ByIDStatement, CachedStatement {
        package static let tablesRead: Set<TableName> = [.product, .related]
        package static let keySpace: CacheKeySpace? = .product
        package static let sql = """
            SELECT \(SQL.orEmpty("""
                SELECT json_agg(r.related_product_id ORDER BY r.id) FROM related r WHERE r.current_product_id = p.id
                """, "[]"))
            FROM product p WHERE p.id = $1
            """

        /// The product, bound as `$1`.
        let productID: Int32

        package init(productID: Int32) {
            self.productID = productID
        }
        package var rowID: Int32 { productID }
    }
}
