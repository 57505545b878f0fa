@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierTestSupport
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Testing

/// Batches against the loaded samples: each read route's batch form answers every member as
/// its statement alone would, byte for byte, and under concurrency requests share batches
/// without outliving their deadline.
@Suite struct BatchStatementTests {
    static let logger = Logger(label: "batch-tests")

    @Test func everyReadRoutesBatchAnswersEachMemberAsItsStatementAlone() async throws {
        let connection = try await Self.connect(to: try await Samples.copy())
        defer { Task { try? await connection.close() } }
        let products: [Int32] = [1, 2, 3, 5, 8, 13, 999_999, 2, 1]
        let questions: [Int32] = [1, 2, 3, 4, 5, 999_999, 1]
        let pages = [
            Page(page: 1, count: 5), Page(page: 2, count: 2), Page(page: 1, count: 1), Page(page: 40, count: 5),
        ]
        var checked = 0
        checked += try await Self.compare(pages.map { ProductQueries.List(page: $0) }, on: connection)
        checked += try await Self.compare(products.map { ProductQueries.Detail(productID: $0) }, on: connection)
        checked += try await Self.compare(products.map { ProductQueries.Styles(productID: $0) }, on: connection)
        checked += try await Self.compare(products.map { ProductQueries.Related(productID: $0) }, on: connection)
        checked += try await Self.compare(
            products.flatMap { product in
                pages.flatMap { page in
                    ReviewQueries.Sort.allCases.map { .init(productID: product, page: page, sort: $0) }
                }
            } as [ReviewQueries.List], on: connection)
        checked += try await Self.compare(products.map { ReviewQueries.Meta(productID: $0) }, on: connection)
        checked += try await Self.compare(
            products.flatMap { product in pages.map { .init(productID: product, page: $0) } } as [QuestionQueries.List],
            on: connection)
        checked += try await Self.compare(
            questions.flatMap { question in pages.map { .init(questionID: question, page: $0) } }
                as [QuestionQueries.Answers], on: connection)
        #expect(checked == RouteSQL.readRoutes.count, "every read route is checked")
    }

    /// A connection to `database` as the server's own are configured (generic plans included).
    static func connect(to database: TestDatabase) async throws -> PostgresConnection {
        let parameters = try ConnectionParameters(connectionString: database.apiURL)
        return try await PostgresConnection.connect(
            configuration: try parameters.connectionConfiguration(
                deadline: .seconds(10), applicationName: "batch-tests"),
            id: 1, logger: logger)
    }

    /// Runs `statements` as one batch and each alone; the answers must be the same bytes.
    static func compare<Statement: CachedStatement>(_ statements: [Statement], on connection: PostgresConnection)
        async throws -> Int
    {
        var alone: [String?] = []
        for statement in statements {
            var body: String?
            for try await row in try await connection.execute(statement, logger: logger) { body = String(buffer: row) }
            alone.append(body)
        }
        var batched = [String?](repeating: nil, count: statements.count)
        let batch = BatchStatement<Statement>(members: statements.map(\.values))
        for try await (position, body) in try await connection.execute(batch, logger: logger) {
            batched[position - 1] = String(buffer: body)
        }
        #expect(batched == alone, "\(Statement.self)")
        #expect(alone.contains(nil) == statements.contains { $0.values.first == .int4(999_999) }, "\(Statement.self)")
        return 1
    }

    /// A lone request's batch, run again and again on one connection, is planned once: the
    /// connection asks for generic plans, as PostgreSQL would otherwise plan each run for its
    /// arrays' lengths, which would cost more than running it.
    @Test func aBatchIsNotPlannedAfreshOnEachRun() async throws {
        let connection = try await Self.connect(to: try await Samples.copy())
        defer { Task { try? await connection.close() } }
        for product in Int32(1)...12 {
            let batch = BatchStatement<ReviewQueries.List>(
                members: [ReviewQueries.List(productID: product, page: Page(page: 1, count: 5), sort: .relevant).values]
            )
            for try await _ in try await connection.execute(batch, logger: Self.logger) {}
        }
        let plans = try await connection.query(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = \(BatchStatement<ReviewQueries.List>.name)",
            logger: Self.logger)
        var counted: [(Int64, Int64)] = []
        for try await row in plans.decode((Int64, Int64).self) { counted.append(row) }
        #expect(counted.count == 1)
        #expect(counted.first?.1 == 0, "custom plans: \(counted)")
        #expect(counted.first?.0 == 12, "generic plans: \(counted)")
    }

    /// The deadline is long: the pool starts with the test, and at the suite's start a busy
    /// machine may take seconds to make its first connection; a 503 would say nothing of batches.
    @Test func concurrentReadsShareBatchesAndGetTheirOwnAnswers() async throws {
        let database = try await Samples.copy()
        try await Self.withAPI(database, deadline: .seconds(60)) { api in
            let ids = Array(Int32(1)...Int32(60))
            var alone: [Int32: String] = [:]
            for id in ids {
                alone[id] = try await api.firstRow(ProductQueries.Detail(productID: id)).map { String(buffer: $0) }
            }
            let batched = try await withThrowingTaskGroup(of: (Int32, String?).self) { group in
                for id in ids {
                    group.addTask {
                        (
                            id,
                            try await api.batchedRow(ProductQueries.Detail(productID: id), on: api.pool).map {
                                String(buffer: $0)
                            }
                        )
                    }
                }
                return try await group.reduce(into: [Int32: String]()) { $0[$1.0] = $1.1 }
            }
            #expect(batched == alone)
            #expect(alone.count > 20 && alone.count < 60, "some ids name a product, some nothing")
            let counts = try #require(api.batcher).counts
            #expect(counts.requests == 60)
            #expect(counts.batches < 60, "requests shared batches")
        }
    }

    /// A request that waits behind a running batch is still answered within its own deadline:
    /// the next batch must end by its earliest member's deadline, not a full deadline after
    /// it starts.
    @Test func aRequestWaitingForABatchIsAnsweredWithinItsOwnDeadline() async throws {
        let database = try await Samples.copy()
        let holder = try database.connect()
        // Used by one thread at a time: the lock's, then this test's.
        nonisolated(unsafe) let next = try database.connect()
        let lock = "SET idle_in_transaction_session_timeout = '30s'; BEGIN; LOCK TABLE product IN ACCESS EXCLUSIVE MODE"
        let waitingForLocks = { @Sendable () async -> Int in
            let count = try? await blocking {
                try database.value(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database.name)' AND wait_event_type = 'Lock'"
                )
            }
            return count.flatMap { $0 }.flatMap { Int($0) } ?? -1
        }
        // No supervision: a ping that times out holding the only connection closes it (on a
        // loaded machine that takes only a slow ping), and the statement must stay prepared on it.
        try await Self.withAPI(database, deadline: .seconds(20), poolSize: 1, tick: .seconds(3600)) { api in
            // Prepared on the only connection first: preparing is a transaction of its own, after
            // which the next lock would come before the statement.
            _ = try await api.batchedRow(ProductQueries.Detail(productID: 1), on: api.pool)
            try holder.execute(lock)
            let ask = { @Sendable (id: Int32) async -> (found: Bool, answered: ContinuousClock.Instant) in
                let found = (try? await api.batchedRow(ProductQueries.Detail(productID: id), on: api.pool)) != nil
                return (found, .now)
            }
            async let first = ask(1)
            #expect(await eventually { await waitingForLocks() == 1 }, "the first batch waits for the lock")
            let secondAsked = ContinuousClock.now
            async let second = ask(2)
            let key = StatementBatchKey(
                statement: .read(ObjectIdentifier(ProductQueries.Detail.self)), pool: ObjectIdentifier(api.pool))
            #expect(await eventually { api.batcher?.waiting(for: key) == 1 }, "the second waits for the first")
            // The next lock queues behind the first batch's statement: once `holder` commits, the
            // first batch gets its answer, and the second, starting then, waits for `next`.
            async let nextLocked: Void = blocking { try next.execute(lock) }
            #expect(await eventually { await waitingForLocks() == 2 })
            // Half the deadline after the second asked: the first, asked before it, still has time.
            try await Task.sleep(until: secondAsked + .seconds(10))
            try holder.execute("COMMIT")
            let committed = ContinuousClock.now
            let (firstAnswer, secondAnswer) = await (first, second)
            try await nextLocked
            try next.execute("COMMIT")
            #expect(firstAnswer.found, "the first got its answer")
            #expect(!secondAnswer.found, "the second a 503")
            // Its own deadline passes about 10 s after the commit; a deadline counted from the
            // start of its batch would pass 20 s after it. The margins are for a loaded machine.
            #expect(
                secondAnswer.answered < committed + .seconds(16),
                "answered \(secondAnswer.answered - committed) after the commit")
        }
    }

    /// An `APIDatabase` with one batch per route at a time, over a running pool judged every `tick`.
    static func withAPI(
        _ database: TestDatabase, deadline: Duration, poolSize: Int = 4, tick: Duration = .seconds(1),
        _ body: (APIDatabase) async throws -> Void
    ) async throws {
        let pool = DatabasePool(
            parameters: try ConnectionParameters(connectionString: database.apiURL), poolSize: poolSize,
            deadline: deadline, tick: tick, logger: logger)
        let run = Task { await pool.run() }
        defer { run.cancel() }
        try await body(APIDatabase(pool: pool, deadline: deadline, batchesPerRoute: 1))
        run.cancel()
        await run.value
    }
}
