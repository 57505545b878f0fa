@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierSchema
import AtelierTestSupport
import Foundation
import Hummingbird
import Testing

@Suite struct OperationTests {
    @Test func healthIsOKWhileTheDatabaseAnswers() async throws {
        try await APIHarness.withSamples { client, _ in
            let health = try await client.get("/health")
            #expect(health.status == .ok)
            #expect(health.json == .object(["status": .string("ok")]))
        }
    }

    /// Nothing listens on the port: every route that needs the database answers 503 within
    /// the deadline, while bad input is still a 422.
    @Test func anUnreachableDatabaseIs503NotA500() async throws {
        let nowhere = ConnectionParameters(
            host: "127.0.0.1", port: 9, user: "postgres", password: nil, database: "atelier", sslMode: "disable")
        let review = jsonBody(ReviewRouteTests.validReview)
        try await APIHarness.withApp(database: nowhere, deadline: .milliseconds(500)) { client in
            for uri in ["/health", "/products/1", "/reviews?product_id=2", "/qa/questions?product_id=1", "/cart?x=1"] {
                let answer = try await client.get(uri, headers: [.userSession: "1000"])
                answer.expectError(503, "the database is unavailable, try again shortly")
            }
            let posted = try await client.post("/reviews", review)
            posted.expectError(503, "the database is unavailable, try again shortly")
            let helpful = try await client.put("/reviews/1/helpful")
            helpful.expectError(503, "the database is unavailable, try again shortly")
            let invalid = try await client.get("/reviews?product_id=x")
            #expect(invalid.status.code == 422)
        }
    }

    /// A statement stuck behind a lock (as while atelier-etl replaces a table) is answered with
    /// a 503 at the deadline (1 s), not when the lock goes: the locking session ends itself
    /// after 60 s, so a server that waited for the lock would answer only then. Only the two
    /// requests are timed, so a busy machine starting the server does not count.
    @Test func aStatementStuckBehindALockIs503AtTheDeadline() async throws {
        let database = try await Samples.copy()
        let lock = try database.connect()
        try lock.execute(
            "SET idle_in_transaction_session_timeout = '60s'; BEGIN; LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE")
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: database.apiURL), deadline: .seconds(1)
        ) { client in
            let start = ContinuousClock.now
            let list = try await client.get("/reviews?product_id=2")
            #expect(list.status.code == 503)
            let vote = try await client.put("/reviews/1/helpful")
            #expect(vote.status.code == 503)
            #expect(ContinuousClock.now - start < .seconds(30))
        }
        try? lock.execute("ROLLBACK")
    }

    /// A transient failure (here a lock not available within `lock_timeout`, 55P03) is a 503
    /// with `Retry-After`, at once rather than at the deadline; so are deadlocks and
    /// serialization failures.
    @Test func aTransientDatabaseErrorIs503() async throws {
        let database = try await Samples.copy()
        _ = try database.value("ALTER DATABASE \(database.name) SET lock_timeout = '200ms'")
        let lock = try database.connect()
        try lock.execute(
            "SET idle_in_transaction_session_timeout = '60s'; BEGIN; LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE")
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: database.apiURL), deadline: .seconds(20)
        ) { client in
            let start = ContinuousClock.now
            let vote = try await client.put("/reviews/1/helpful")
            vote.expectError(503, "the database is unavailable, try again shortly")
            #expect(ContinuousClock.now - start < .seconds(10))
        }
        try? lock.execute("ROLLBACK")
        for state in ["40001", "40P01", "55P03", "57014", "08006"] {
            #expect(APIDatabase.meansUnavailable(state), "\(state)")
        }
        for state in ["23505", "22P02", "42601"] { #expect(!APIDatabase.meansUnavailable(state), "\(state)") }
    }

    /// A database without the Atelier tables (nothing loaded yet) is not ready: 503.
    @Test func anUnloadedDatabaseIs503() async throws {
        let empty = try TestDatabase.create()
        try await APIHarness.withApp(database: ConnectionParameters(connectionString: empty.apiURL)) { client in
            let answer = try await client.get("/products/1")
            #expect(answer.status.code == 503)
        }
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheRoutes() async throws {
        let router = try AtelierServer.makeRouter(
            database: APIDatabase(
                pool: DatabasePool(
                    parameters: ConnectionParameters(connectionString: "host=127.0.0.1 port=9"), poolSize: 1,
                    deadline: .seconds(1),
                    logger: .init(label: "unused"))))
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let document =
            try JSONSerialization.jsonObject(with: Data(AtelierServer.openAPIDocument().readableBytesView))
            as? [String: Any]
        let paths = try #require(document?["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        #expect(served.count == 24)
        #expect(documented == served)
        #expect(document?["openapi"] as? String == "3.1.0")
    }

    @Test func theOpenAPIDocumentIsServed() async throws {
        try await APIHarness.withSamples { client, _ in
            let answer = try await client.get("/openapi.json")
            #expect(answer.status == .ok)
            #expect(answer.json?["info"]?["title"] == .string("Atelier API"))
        }
    }
}
