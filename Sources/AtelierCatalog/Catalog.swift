/// The 14 files of the legacy export, in load order (parents first), as described in the
/// data contract. Everything else — parsing, validation, schema, verify, tests — reads this.
public enum Catalog {
    public static let tables: [TableSpec] = [
        TableSpec(
            .product,
            [
                ColumnSpec("id", .id),
                ColumnSpec("name", .text),
                ColumnSpec("slogan", .text),
                ColumnSpec("description", .text),
                ColumnSpec("category", .text),
                ColumnSpec("default_price", .money),
            ]),
        TableSpec(
            .features,
            [
                ColumnSpec("id", .id),
                ColumnSpec("product_id", .reference(.product)),
                ColumnSpec("feature", .text),
                ColumnSpec("value", .text, nullable: true),
            ]),
        TableSpec(
            .styles,
            [
                ColumnSpec("id", .id),
                ColumnSpec("product_id", .reference(.product)),
                ColumnSpec("name", .text),
                ColumnSpec("sale_price", .money, nullable: true),
                ColumnSpec("original_price", .money),
                ColumnSpec("default_style", .boolean, aliases: ["default"]),
            ]),
        TableSpec(
            .photos,
            [
                ColumnSpec("id", .id),
                ColumnSpec("style_id", .reference(.styles)),
                ColumnSpec("url", .text, nullable: true),
                ColumnSpec("thumbnail_url", .text, nullable: true),
            ]),
        TableSpec(
            .skus,
            [
                ColumnSpec("id", .id),
                ColumnSpec("style_id", .reference(.styles)),
                ColumnSpec("size", .text),
                ColumnSpec("quantity", .count),
            ]),
        TableSpec(
            .related,
            [
                ColumnSpec("id", .id),
                ColumnSpec("current_product_id", .reference(.product)),
                ColumnSpec("related_product_id", .reference(.product), indexed: false),
            ]),
        TableSpec(
            .questions,
            [
                ColumnSpec("id", .id, aliases: ["question_id"]),
                ColumnSpec("product_id", .reference(.product)),
                ColumnSpec("body", .text),
                ColumnSpec("date_written", .date),
                ColumnSpec("asker_name", .text),
                ColumnSpec("asker_email", .text, nullable: true),
                ColumnSpec("reported", .boolean),
                ColumnSpec("helpful", .count),
            ]),
        TableSpec(
            .answers,
            [
                ColumnSpec("id", .id, aliases: ["answer_id"]),
                ColumnSpec("question_id", .reference(.questions)),
                ColumnSpec("body", .text),
                ColumnSpec("date_written", .date),
                ColumnSpec("answerer_name", .text),
                ColumnSpec("answerer_email", .text, nullable: true),
                ColumnSpec("reported", .boolean),
                ColumnSpec("helpful", .count),
            ]),
        TableSpec(
            .answersPhotos,
            [
                ColumnSpec("id", .id),
                ColumnSpec("answer_id", .reference(.answers)),
                ColumnSpec("url", .text, nullable: true),
            ]),
        TableSpec(
            .reviews,
            [
                ColumnSpec("id", .id, aliases: ["review_id"]),
                ColumnSpec("product_id", .reference(.product)),
                ColumnSpec("rating", .rating),
                ColumnSpec("date", .date),
                ColumnSpec("summary", .text),
                ColumnSpec("body", .text),
                ColumnSpec("recommend", .boolean),
                ColumnSpec("reported", .boolean),
                ColumnSpec("reviewer_name", .text),
                ColumnSpec("reviewer_email", .text, nullable: true),
                ColumnSpec("response", .text, nullable: true),
                ColumnSpec("helpfulness", .count),
            ]),
        TableSpec(
            .reviewsPhotos,
            [
                ColumnSpec("id", .id),
                ColumnSpec("review_id", .reference(.reviews)),
                ColumnSpec("url", .text, nullable: true),
            ]),
        TableSpec(
            .characteristics,
            [
                ColumnSpec("id", .id),
                ColumnSpec("product_id", .reference(.product)),
                ColumnSpec("name", .text),
            ]),
        TableSpec(
            .characteristicReviews,
            [
                ColumnSpec("id", .id),
                ColumnSpec("characteristic_id", .reference(.characteristics)),
                // No route reads these rows by review and the API deletes no review, so an
                // index on review_id would only cost every load and every posted review.
                ColumnSpec("review_id", .reference(.reviews), indexed: false),
                ColumnSpec("value", .rating),
            ]),
        TableSpec(
            .cart,
            [
                ColumnSpec("id", .id),
                ColumnSpec("user_session", .integer, indexed: true),
                ColumnSpec("product_id", .integer),
                ColumnSpec("active", .boolean),
            ]),
    ]

    /// The table a file loads into, found by its file name (`reviews.csv` → reviews).
    public static func table(forFile fileName: String) -> TableSpec? {
        let lowered = fileName.lowercased()
        return tables.first { $0.fileName == lowered }
    }

    public static func table(named name: String) -> TableSpec? {
        tables.first { $0.name == name }
    }

    /// The tables that reference `table` directly.
    public static func dependants(of table: TableName) -> [TableSpec] {
        tables.filter { $0.parents.contains(table) }
    }

    /// Position of a table in load order; parents come first.
    public static func loadOrder(of table: String) -> Int {
        tables.firstIndex { $0.name == table } ?? tables.count
    }
}
