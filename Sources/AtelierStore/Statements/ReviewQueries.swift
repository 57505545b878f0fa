import AtelierCatalog
import NIOCore
import PostgresNIO

/// The review routes' SQL and JSON shapes. Reported reviews appear nowhere: not in the list,
/// not in any count or average of the meta.
package enum ReviewQueries {
    /// How `GET /reviews` orders a product's reviews.
    package enum Sort: String, Sendable, CaseIterable {
        /// Newest first.
        case newest
        /// Highest helpfulness first.
        case helpful
        /// The default: helpfulness first, then newest (the contract's tie rule makes it the
        /// same order as `helpful`).
        case relevant
    }

    /// `GET /reviews`: one page of a product's listed reviews with their photos in id order.
    /// `$1` product, `$2` count, `$3` offset, `$4` page (echoed), `$5` true for newest first.
    package struct List: PagedStatement, CachedStatement {
        package static let tablesRead: Set<TableName> = [.product, .reviews, .reviewsPhotos]
        package static let keySpace: CacheKeySpace? = .product
        package var cacheKey: CacheKey {
            CacheKey(
                Self.self, id: productID, page: page.page, count: page.count, variant: sort == .newest ? 1 : 0)
        }
        static let order = "CASE WHEN $5 THEN 0 ELSE r.helpfulness END DESC, r.date DESC, r.id DESC"
        package static let sql = """
            SELECT json_build_object('product', p.id::text, 'page', $4::int8, 'count', $2::int8, 'results', \(SQL.orEmpty("""
                SELECT json_agg(json_build_object('review_id', r.id, 'rating', r.rating, 'summary', r.summary,
                    'recommend', r.recommend, 'response', r.response, 'body', r.body, 'date', \(SQL.isoDate("r.date")),
                    'reviewer_name', r.reviewer_name, 'helpfulness', r.helpfulness,
                    'photos', \(SQL.orEmpty("""
                        SELECT json_agg(json_build_object('id', ph.id, 'url', ph.url) ORDER BY ph.id)
                        FROM reviews_photos ph WHERE ph.review_id = r.id
                        """, "[]")))
                    ORDER BY \(order))
                FROM (SELECT * FROM reviews r WHERE r.product_id = p.id AND NOT r.reported
                      ORDER BY \(order) LIMIT $2 OFFSET $3) r
                """, "[]")))
            FROM product p WHERE p.id = $1
            """
        package static let parameterKinds = pageParameterKinds + [.bool]

        /// The product, bound as `$1`.
        let productID: Int32
        package var rowID: Int32 { productID }
        package let page: Page
        let sort: Sort

        package init(productID: Int32, page: Page, sort: Sort) {
            self.productID = productID
            self.page = page
            self.sort = sort
        }

        package var values: [StatementValue] { pageValues + [.bool(sort == .newest)] }

        /// A helpful vote patched into a page held (`CountPatch.page`), ordered as `order` says.
        package static func patch(
            _ body: ByteBuffer, for key: CacheKey, column: String, counts: [TableChange.Count]
        ) -> CountPatch {
            guard column == "helpfulness" else { return .drop }
            return .page(
                body, counts: counts, keys: CountedList.Keys(id: "review_id", count: "helpfulness", date: "date"),
                page: key.page, size: key.count, byCount: key.variant == 0)
        }
    }

    /// `GET /reviews/meta`: counts per star and per recommendation, and each characteristic's
    /// average rating to 16 decimals (`null` when nobody rated it), all as strings.
    package struct Meta: ByIDStatement, CachedStatement {
        package static let tablesRead: Set<TableName> = [.product, .reviews, .characteristics, .characteristicReviews]
        /// A helpful vote (the storefront's most common write) keeps it.
        package static let columnsRead: [TableName: Set<String>] = [
            .reviews: ["id", "product_id", "rating", "recommend", "reported"]
        ]
        package static let keySpace: CacheKeySpace? = .product
        package static let sql = """
            SELECT json_build_object('product_id', p.id::text,
                'ratings', \(SQL.orEmpty("""
                    SELECT json_object_agg(stars.rating::text, stars.reviews::text ORDER BY stars.rating)
                    FROM (SELECT r.rating, count(*) AS reviews FROM reviews r
                          WHERE r.product_id = p.id AND NOT r.reported GROUP BY r.rating) stars
                    """, "{}")),
                'recommended', (
                    SELECT json_build_object('false', (count(*) FILTER (WHERE NOT r.recommend))::text,
                                             'true', (count(*) FILTER (WHERE r.recommend))::text)
                    FROM reviews r WHERE r.product_id = p.id AND NOT r.reported),
                'characteristics', \(SQL.orEmpty("""
                    SELECT json_object_agg(c.name, json_build_object('id', c.id, 'value', (
                        SELECT round(avg(cr.value), 16)::text
                        FROM characteristic_reviews cr JOIN reviews r ON r.id = cr.review_id
                        WHERE cr.characteristic_id = c.id AND NOT r.reported)) ORDER BY c.id)
                    FROM characteristics c WHERE c.product_id = p.id
                    """, "{}")))
            FROM product p WHERE p.id = $1
            """

        /// The product, bound as `$1`.
        let productID: Int32

        package init(productID: Int32) {
            self.productID = productID
        }
        package var rowID: Int32 { productID }
    }

    /// `POST /reviews`, step one: the product's characteristic ids; no row when the product
    /// does not exist.
    package static func characteristicIDs(of productID: Int32) -> PostgresQuery {
        "SELECT ARRAY(SELECT c.id FROM characteristics c WHERE c.product_id = p.id) FROM product p WHERE p.id = \(productID)"
    }

    /// `POST /reviews`, step two: the review, its photos and its characteristic ratings in one
    /// statement, so all of them are stored or none. Returns the new review's id, or no row when
    /// the product, or one of the characteristics, is no longer the product's: a load switched
    /// in a new catalogue since step one, which the route then asks again.
    package static func insert(_ review: ReviewSubmission) -> Write {
        let characteristicIDs = review.characteristics.keys.sorted()
        let values = characteristicIDs.map { review.characteristics[$0]! }
        return Write(
            query: """
                WITH review AS (
                    INSERT INTO reviews (product_id, rating, date, summary, body, recommend, reported,
                                         reviewer_name, reviewer_email, response, helpfulness)
                    SELECT p.id, \(Int16(review.rating)), now(), \(review.summary), \(review.body),
                           \(review.recommend), false, \(review.name), \(review.email), NULL, 0
                    FROM product p
                    WHERE p.id = \(review.productID) AND (SELECT count(*) FROM characteristics c
                        WHERE c.product_id = p.id AND c.id = ANY(\(characteristicIDs)::int4[])) = \(characteristicIDs.count)
                    RETURNING id),
                photos AS (
                    INSERT INTO reviews_photos (review_id, url)
                    SELECT review.id, photo.url FROM review, unnest(\(review.photos)::text[]) WITH ORDINALITY AS photo(url, position)
                    ORDER BY photo.position),
                ratings AS (
                    INSERT INTO characteristic_reviews (characteristic_id, review_id, value)
                    SELECT rating.characteristic_id, review.id, rating.value
                    FROM review, unnest(\(characteristicIDs)::int4[], \(values)::int2[]) AS rating(characteristic_id, value))
                SELECT id, \(review.productID), NULL::int4 FROM review
                """, tablesWritten: [.reviews, .reviewsPhotos, .characteristicReviews])
    }
}
