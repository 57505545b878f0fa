import Foundation

/// The statement each read route runs, with the meaning of its `$n` parameters in order:
/// what `atelier-serve --print-sql` prints, for EXPLAIN and for `make bench-api`, which runs
/// exactly this SQL under pgbench to find the database's own limit for the route.
public enum RouteSQL {
    public struct Entry: Sendable, Encodable {
        /// The route as the API contract writes it.
        public let route: String
        public let sql: String
        /// Names of `$1`, `$2`, …: `product_id`, `question_id`, `count`, `offset`, `page`, `newest`.
        public let parameters: [String]
    }

    private static let paged = ["count", "offset", "page"]

    public static let readRoutes: [Entry] = [
        Entry(route: "GET /products", sql: ProductQueries.List.sql, parameters: ["count", "offset"]),
        Entry(route: "GET /products/:product_id", sql: ProductQueries.Detail.sql, parameters: ["product_id"]),
        Entry(route: "GET /products/:product_id/styles", sql: ProductQueries.Styles.sql, parameters: ["product_id"]),
        Entry(route: "GET /products/:product_id/related", sql: ProductQueries.Related.sql, parameters: ["product_id"]),
        Entry(route: "GET /reviews", sql: ReviewQueries.List.sql, parameters: ["product_id"] + paged + ["newest"]),
        Entry(route: "GET /reviews/meta", sql: ReviewQueries.Meta.sql, parameters: ["product_id"]),
        Entry(route: "GET /qa/questions", sql: QuestionQueries.List.sql, parameters: ["product_id"] + paged),
        Entry(
            route: "GET /qa/questions/:question_id/answers", sql: QuestionQueries.Answers.sql,
            parameters: ["question_id"] + paged),
    ]

    /// One JSON object per line: `{"parameters": […], "route": …, "sql": …}`.
    public static var jsonLines: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return readRoutes.map { String(decoding: (try? encoder.encode($0)) ?? Data(), as: UTF8.self) }.joined(
            separator: "\n") + "\n"
    }
}
