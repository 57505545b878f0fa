import AtelierTestSupport
import Foundation
import Testing

/// Proof that nothing stale survives: two servers with caches on share one database while
/// readers hammer both; writes go through one server's routes and through psql. After each
/// write commits, every read route of either server answers exactly what a server without a
/// cache answers within one second; once writes stop, every cached answer equals a fresh one.
@Suite(.serialized) struct CacheStalenessTests {
    /// The rows the writes touch, chosen from the samples: a product with reviews, styles,
    /// characteristics and a question that has answers.
    struct Rows {
        let product: String, question: String, review: String, answer: String

        init(_ database: TestDatabase) throws {
            let row = try #require(
                try database.rows(
                    """
                    SELECT q.product_id, q.id, min(r.id), min(a.id) FROM questions q
                    JOIN answers a ON a.question_id = q.id JOIN reviews r ON r.product_id = q.product_id
                    WHERE EXISTS (SELECT FROM styles s JOIN skus k ON k.style_id = s.id JOIN photos ph ON ph.style_id = s.id
                                  WHERE s.product_id = q.product_id)
                      AND EXISTS (SELECT FROM characteristics c WHERE c.product_id = q.product_id)
                    GROUP BY q.product_id, q.id ORDER BY q.product_id, q.id LIMIT 1
                    """
                ).first)
            (product, question, review, answer) = (row[0]!, row[1]!, row[2]!, row[3]!)
        }
    }

    /// A write and how it is made.
    enum Write {
        case route(method: String, path: String, body: String?)
        case sql(String)
    }

    static let unknownProduct = "2000000001"

    static func reads(_ rows: Rows) -> [String] {
        let p = rows.product
        return [
            "/products", "/products/\(p)", "/products/\(p)/styles", "/products/\(p)/related",
            "/reviews?product_id=\(p)",
            "/reviews?product_id=\(p)&sort=helpful", "/reviews?product_id=\(p)&sort=newest&count=50",
            "/reviews?product_id=\(p)&count=1&page=2",
            "/reviews/meta?product_id=\(p)", "/qa/questions?product_id=\(p)&count=50",
            "/qa/questions/\(rows.question)/answers?count=50", "/products/\(unknownProduct)",
        ]
    }

    static func writes(_ rows: Rows) -> [(name: String, write: Write)] {
        let (p, q, r, a) = (rows.product, rows.question, rows.review, rows.answer)
        let text = String(repeating: "w", count: 60)
        let styles = "(SELECT id FROM styles WHERE product_id = \(p))"
        return [
            ("PUT review helpful", .route(method: "PUT", path: "/reviews/\(r)/helpful", body: nil)),
            // Count changes carry their new values: answers showing them are patched, not dropped.
            ("review helpfulness", .sql("UPDATE reviews SET helpfulness = helpfulness + 5 WHERE id = \(r)")),
            (
                "every review of the product, helpfulness",
                .sql("UPDATE reviews SET helpfulness = helpfulness + id % 3 WHERE product_id = \(p)")
            ),
            ("review helpfulness set lower", .sql("UPDATE reviews SET helpfulness = 0 WHERE id = \(r)")),
            (
                "POST review",
                .route(
                    method: "POST", path: "/reviews",
                    body: jsonBody([
                        "product_id": Int(p)!, "rating": 1, "body": text, "recommend": false, "name": "n",
                        "email": "n@example.com", "photos": ["https://example.com/r.jpg"],
                    ]))
            ),
            (
                "POST question",
                .route(
                    method: "POST", path: "/qa/questions",
                    body: jsonBody(["product_id": Int(p)!, "body": text, "name": "n", "email": "n@example.com"]))
            ),
            (
                "POST answer",
                .route(
                    method: "POST", path: "/qa/questions/\(q)/answers",
                    body: jsonBody([
                        "body": text, "name": "n", "email": "n@example.com", "photos": ["https://example.com/a.jpg"],
                    ]))
            ),
            ("PUT question helpful", .route(method: "PUT", path: "/qa/questions/\(q)/helpful", body: nil)),
            ("PUT answer helpful", .route(method: "PUT", path: "/qa/answers/\(a)/helpful", body: nil)),
            ("PUT answer report", .route(method: "PUT", path: "/qa/answers/\(a)/report", body: nil)),
            ("PUT review report", .route(method: "PUT", path: "/reviews/\(r)/report", body: nil)),
            ("product", .sql("UPDATE product SET slogan = 'changed' WHERE id = \(p)")),
            ("features", .sql("UPDATE features SET value = 'changed' WHERE product_id = \(p)")),
            ("styles", .sql("UPDATE styles SET name = 'changed' WHERE product_id = \(p)")),
            ("photos", .sql("UPDATE photos SET url = 'https://example.com/p.jpg' WHERE style_id IN \(styles)")),
            ("skus", .sql("UPDATE skus SET quantity = quantity + 1 WHERE style_id IN \(styles)")),
            ("related", .sql("INSERT INTO related (current_product_id, related_product_id) VALUES (\(p), 1)")),
            ("questions", .sql("UPDATE questions SET body = 'changed' WHERE id = \(q)")),
            ("answers", .sql("UPDATE answers SET body = 'changed' WHERE question_id = \(q)")),
            (
                "answers_photos",
                .sql("INSERT INTO answers_photos (answer_id, url) VALUES (\(a), 'https://example.com/x.jpg')")
            ),
            ("reviews", .sql("UPDATE reviews SET summary = 'changed' WHERE product_id = \(p)")),
            (
                "reviews_photos",
                .sql("INSERT INTO reviews_photos (review_id, url) VALUES (\(r), 'https://example.com/y.jpg')")
            ),
            ("characteristics", .sql("UPDATE characteristics SET name = name || '!' WHERE product_id = \(p)")),
            (
                "characteristic_reviews",
                .sql(
                    "UPDATE characteristic_reviews SET value = 6 - value WHERE review_id IN (SELECT id FROM reviews WHERE product_id = \(p))"
                )
            ),
            ("every review (a bulk change)", .sql("UPDATE reviews SET helpfulness = helpfulness + 1")),
            (
                "a new product for an id that named nothing",
                .sql(
                    """
                    INSERT INTO product (id, name, slogan, description, category, default_price)
                    VALUES (\(unknownProduct), 'New', 'New', 'New', 'New', 1)
                    """)
            ),
        ]
    }

    @Test func everyWriteShowsOnBothServersWithinASecondAndNothingStaleSurvives() async throws {
        let database = try await Samples.copy()
        let rows = try Rows(database)
        let cached = try (0..<2).map { _ in
            try ServerProcess(arguments: ["--database-url", database.apiURL, "--cache-size", "64"])
        }
        let fresh = try ServerProcess(arguments: ["--database-url", database.apiURL, "--cache-size", "0"])
        for server in cached + [fresh] { try await server.waitUntilHealthy() }
        let reads = Self.reads(rows)
        // Both caches are on once both listeners are connected.
        let listeners = """
            SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database.name)'
            AND application_name = 'atelier-serve-listener'
            """
        #expect(try await eventually { try database.value(listeners) == "2" })
        // Readers stop at a flag rather than by cancellation: a URLSession request cancelled
        // mid-flight may never complete on Linux.
        let stop = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for server in cached {
                for _ in 0..<2 {
                    group.addTask {
                        while !stop.isSet {
                            for path in reads.shuffled() { _ = try? await server.send("GET", path) }
                        }
                    }
                }
            }
            defer { stop.set() }
            try await Task.sleep(for: .milliseconds(300))
            for (name, write) in Self.writes(rows) {
                switch write {
                case .route(let method, let path, let body):
                    let status = try await cached[1].send(method, path, body: body).status
                    #expect((200..<300).contains(status), "\(name): \(status)")
                case .sql(let sql):
                    _ = try database.rows(sql)
                }
                let committed = Date()
                for path in reads {
                    let truth = try await fresh.send("GET", path)
                    for (index, server) in cached.enumerated() {
                        var answer = try await server.send("GET", path)
                        while answer != truth, Date().timeIntervalSince(committed) < 1 {
                            try await Task.sleep(for: .milliseconds(10))
                            answer = try await server.send("GET", path)
                        }
                        #expect(
                            answer == truth, "after \(name): server \(index) still answers \(path) as before, 1 s on")
                    }
                }
            }
        }
        for path in reads {
            let truth = try await fresh.send("GET", path)
            for server in cached { #expect(try await server.send("GET", path) == truth, "\(path) once writes stopped") }
        }
    }
}

/// A flag set once, read from any task.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
