import AtelierPostgres
import AtelierSchema
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// The server's connections to PostgreSQL: a `PostgresClient`, watched once a second and
/// replaced by a fresh one when it cannot recover by itself. After an outage postgres-nio's
/// pool retries with a backoff that grows to 60 s (not configurable), so on its own it could
/// stay down for a minute after PostgreSQL is back. Here, a second with no successful request
/// leads to a ping through the pool (2 s); when that fails but a standalone connection succeeds
/// (PostgreSQL is back, the pool is backing off), a new client takes over at once. The old one
/// is retired after the request deadline, so requests it is serving finish or time out.
/// Whatever the outage's length, service resumes within about three seconds of PostgreSQL
/// accepting connections (docs/api.md, "Faults").
///
/// It also bounds the queue: past `poolSize + maximumWaiting` requests in flight, a request is
/// answered 503 at once instead of waiting for a connection.
public final class DatabasePool: Service, Sendable {
    let parameters: ConnectionParameters
    let poolSize: Int
    let maximumWaiting: Int
    let deadline: Duration
    let logger: Logger
    /// How often the pool is judged.
    let tick: Duration

    private struct State {
        var client: PostgresClient
        var clientRun: Task<Void, Never>?
        /// Runs of replaced clients, kept until they end so that shutdown can end them too.
        var retiredRuns: [Task<Void, Never>] = []
        var successes = 0
        var failures = 0
        var inFlight = 0
        var reachable = true
        var replacements = 0
    }

    private let state: NIOLockedValueBox<State>

    public init(
        parameters: ConnectionParameters, poolSize: Int, maximumWaiting: Int = 256, deadline: Duration,
        tick: Duration = .seconds(1), logger: Logger
    ) {
        self.parameters = parameters
        self.poolSize = max(1, poolSize)
        self.maximumWaiting = maximumWaiting
        self.deadline = deadline
        self.tick = tick
        self.logger = logger
        state = NIOLockedValueBox(
            State(client: Self.makeClient(parameters, poolSize: poolSize, deadline: deadline, logger: logger)))
    }

    private static func makeClient(
        _ parameters: ConnectionParameters, poolSize: Int, deadline: Duration,
        logger: Logger
    ) -> PostgresClient {
        PostgresClient(
            configuration: parameters.clientConfiguration(poolSize: poolSize, deadline: deadline),
            backgroundLogger: logger)
    }

    /// The client requests use now.
    var client: PostgresClient { state.withLockedValue { $0.client } }

    /// How many times a stuck client was replaced (for tests and metrics).
    public var replacements: Int { state.withLockedValue { $0.replacements } }

    /// Requests admitted and not finished, and how many of them exceed the pool's connections
    /// (so wait for one).
    var load: (inFlight: Int, waiting: Int) {
        let inFlight = state.withLockedValue { $0.inFlight }
        return (inFlight, max(0, inFlight - poolSize))
    }

    /// Admits a request, or refuses it at once when too many already wait for a connection.
    func admit() throws(APIError) {
        let admitted = state.withLockedValue { state in
            guard state.inFlight < poolSize + maximumWaiting else { return false }
            state.inFlight += 1
            return true
        }
        guard admitted else { throw APIError.databaseBusy }
    }

    /// Requests admitted by `admit()` are done (one, or a batch's): `reachedDatabase` when they
    /// got an answer from the server (an error of its own included), false when they timed out
    /// or lost their connection.
    func finish(reachedDatabase: Bool, requests: Int = 1) {
        state.withLockedValue { state in
            state.inFlight -= requests
            if reachedDatabase { state.successes += requests } else { state.failures += requests }
        }
    }

    public func run() async {
        startCurrentClient()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.tick)
                await self.judge()
            }
        }
        // Every client's connections close before the pool returns, a replaced one's included;
        // a close that never completes may not keep the process from exiting.
        let runs = state.withLockedValue { state in state.retiredRuns + [state.clientRun].compactMap { $0 } }
        for run in runs { run.cancel() }
        let ended = await Deadline.run(Self.shutdownWait, onTimeout: {}) {
            for run in runs { await run.value }
        }
        if ended == nil {
            logger.warning("database connections still closing after \(Self.shutdownWait); exiting without them")
        }
    }

    /// How long shutdown waits for the pool's connections to close.
    static let shutdownWait = Duration.seconds(5)

    private func startCurrentClient() {
        state.withLockedValue { state in
            let client = state.client
            // Detached: the pool alone ends its clients, when it stops or retires one.
            state.clientRun = Task.detached { await client.run() }
        }
    }

    /// One tick: healthy when requests got answers; else ping through the pool, and replace the
    /// pool when the ping fails but PostgreSQL accepts a standalone connection.
    private func judge() async {
        let (successes, failures) = state.withLockedValue { state in
            defer { (state.successes, state.failures) = (0, 0) }
            return (state.successes, state.failures)
        }
        if successes > 0, failures == 0 {
            markReachable(true, detail: "")
            return
        }
        // Failures alone may be requests stuck behind a lock: the pool is fine if it answers.
        if await ping() {
            markReachable(true, detail: "")
            return
        }
        guard await probe() else {
            markReachable(false, detail: "no connection could be made")
            return
        }
        replaceClient()
        markReachable(true, detail: "replaced the connection pool")
    }

    /// A ping through the pool, allowed 2 s: a busy machine can take a second to answer, and
    /// a false alarm would replace a working pool.
    private func ping() async -> Bool {
        let outcome = await withConnection(deadline: .seconds(2)) { connection in
            try await connection.query("SELECT 1", logger: self.logger).collect().count
        }
        return (try? outcome?.get()) == 1
    }

    /// Runs `body` on a pooled connection against `deadline`: the result, or nil when the
    /// deadline passed first. Then the connection is closed, never reused: its statement may
    /// still be running on a frozen server, and its answer would come to the next user.
    func withConnection<T: Sendable>(
        deadline: Duration,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async -> Result<T, any Error>? {
        await withConnection(until: .now + deadline, body)
    }

    /// The same, by the instant `due`; nil at once when it has passed.
    func withConnection<T: Sendable>(
        until due: ContinuousClock.Instant,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async -> Result<T, any Error>? {
        guard due > .now else { return nil }
        let client = self.client
        let held = NIOLockedValueBox<PostgresConnection?>(nil)
        return await Deadline.run(
            until: due,
            onTimeout: {
                held.withLockedValue { connection in
                    if let connection { let _: EventLoopFuture<Void> = connection.close() }
                    connection = nil
                }
            }
        ) {
            try await client.withConnection { connection in
                held.withLockedValue { $0 = connection }
                defer { held.withLockedValue { $0 = nil } }
                return try await body(connection)
            }
        }
    }

    /// Whether PostgreSQL accepts a new connection and answers on it.
    private func probe() async -> Bool {
        let configuration = parameters.connectionConfiguration(
            deadline: deadline, applicationName: "atelier-serve-probe")
        let outcome = await Deadline.run(.seconds(2), onTimeout: {}) {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: 0, logger: self.logger)
            defer { Task { try? await connection.close() } }
            return try await connection.query("SELECT 1", logger: self.logger).collect().count
        }
        return (try? outcome?.get()) == 1
    }

    private func replaceClient() {
        let fresh = Self.makeClient(parameters, poolSize: poolSize, deadline: deadline, logger: logger)
        let retired = state.withLockedValue { state in
            let retired = state.clientRun
            if let retired { state.retiredRuns.append(retired) }
            state.client = fresh
            state.replacements += 1
            return retired
        }
        startCurrentClient()
        let grace = deadline + .seconds(1)
        Task {
            try? await Task.sleep(for: grace)
            retired?.cancel()
            await retired?.value
            self.state.withLockedValue { state in state.retiredRuns.removeAll { $0 == retired } }
        }
    }

    /// Logs once per change of state, not once per request.
    private func markReachable(_ reachable: Bool, detail: String) {
        let changed = state.withLockedValue { state in
            defer { state.reachable = reachable }
            return state.reachable != reachable
        }
        guard changed else { return }
        if reachable {
            logger.notice("database reachable again\(detail.isEmpty ? "" : ": " + detail)")
        } else {
            logger.warning("database unreachable (\(detail)); answering 503 until it is back")
        }
    }
}
