import AtelierPostgres
import AtelierSchema
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// The server's connections to PostgreSQL: a `PostgresClient`, judged every `tick` by a
/// `PoolSupervisor` and replaced by a fresh one when it cannot recover by itself. After an
/// outage postgres-nio's pool backs off for up to a minute (`ReplaceableClient`). Here, a tick with no
/// successful request leads to a ping through the pool; when that fails but a standalone
/// connection succeeds (PostgreSQL is back, the pool is backing off), a new client takes over
/// at once. The old one is retired after the request deadline, so requests it is serving
/// finish or time out (docs/api.md, "Faults").
///
/// Everything it starts runs inside `run()`: the supervision, the deadline watch of its calls,
/// and its clients, which end before `run()` returns.
///
/// It also bounds the queue: past `poolSize + maximumWaiting` requests in flight, a request is
/// answered 503 at once instead of waiting for a connection.
public final class DatabasePool: Service, Sendable {
    package let parameters: ConnectionParameters
    package let poolSize: Int
    package let maximumWaiting: Int
    package let deadline: Duration
    package let logger: Logger
    /// How often the pool is judged.
    package let tick: Duration
    /// The deadlines of every call on the pool's connections.
    package let deadlines: DeadlineWatch
    package var clock: AnyClock { deadlines.clock }

    /// A replaced client, ended at `retireAt`, awaited at shutdown.
    private struct RetiredClient {
        let client: ReplaceableClient
        let retireAt: AnyClock.Instant
        var ended = false
    }

    private struct State {
        var current: ReplaceableClient
        var retired: [RetiredClient] = []
        var successes = 0
        var failures = 0
        var inFlight = 0
        var reachable = true
        var replacements = 0
    }

    private let state: NIOLockedValueBox<State>

    public init(
        parameters: ConnectionParameters, poolSize: Int, maximumWaiting: Int = 256, deadline: Duration,
        tick: Duration = .seconds(1), clock: AnyClock = .continuous, logger: Logger
    ) {
        deadlines = DeadlineWatch(clock: clock)
        self.parameters = parameters
        self.poolSize = max(1, poolSize)
        self.maximumWaiting = maximumWaiting
        self.deadline = deadline
        self.tick = tick
        self.logger = logger
        state = NIOLockedValueBox(
            State(
                current: ReplaceableClient(
                    configuration: parameters.clientConfiguration(poolSize: poolSize, deadline: deadline),
                    logger: logger)))
    }

    /// The client requests use now; its connections open once `run()` has started.
    package var client: PostgresClient { state.withLockedValue { $0.current.client } }

    /// How many times a stuck client was replaced (for tests and metrics).
    public var replacements: Int { state.withLockedValue { $0.replacements } }

    /// Whether the supervisor last found PostgreSQL reachable through the pool.
    package var isReachable: Bool { state.withLockedValue { $0.reachable } }

    /// Requests admitted and not finished, and how many of them exceed the pool's connections
    /// (so wait for one).
    package var load: (inFlight: Int, waiting: Int) {
        let inFlight = state.withLockedValue { $0.inFlight }
        return (inFlight, max(0, inFlight - poolSize))
    }

    /// Admits a request, or refuses it at once when too many already wait for a connection.
    package func admit() throws(StoreError) {
        let admitted = state.withLockedValue { state in
            guard state.inFlight < poolSize + maximumWaiting else { return false }
            state.inFlight += 1
            return true
        }
        guard admitted else { throw StoreError.busy }
    }

    /// Requests admitted by `admit()` are done (one, or a batch's): `reachedDatabase` when they
    /// got an answer from the server (an error of its own included), false when they timed out
    /// or lost their connection.
    package func finish(reachedDatabase: Bool, requests: Int = 1) {
        state.withLockedValue { state in
            state.inFlight -= requests
            if reachedDatabase { state.successes += requests } else { state.failures += requests }
        }
    }

    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.deadlines.watch() }
            state.withLockedValue { $0.current }.start()
            await cancelWhenGracefulShutdown {
                await self.supervisor.run { verdict in
                    self.act(on: verdict)
                    self.endDueRetiredClients()
                }
            }
            await endClients()
            group.cancelAll()
        }
    }

    private var supervisor: PoolSupervisor {
        PoolSupervisor(
            clock: clock, tick: tick,
            takeCounts: {
                self.state.withLockedValue { state in
                    defer { (state.successes, state.failures) = (0, 0) }
                    return (state.successes, state.failures)
                }
            },
            ping: { await self.ping() }, probe: { await self.probe() })
    }

    private func act(on verdict: PoolSupervisor.Verdict) {
        switch verdict {
        case .reachable: markReachable(true, detail: "")
        case .unreachable: markReachable(false, detail: "no connection could be made")
        case .replacePool:
            replaceClient()
            markReachable(true, detail: "replaced the connection pool")
        }
    }

    /// Every client's connections close before the pool returns, a replaced one's included; a
    /// close that never completes may not keep the process from exiting.
    private func endClients() async {
        let clients = state.withLockedValue { state in state.retired.map(\.client) + [state.current] }
        for client in clients { client.end() }
        let ended = await deadlines.run(Self.shutdownWait, onTimeout: {}) {
            for client in clients { await client.ended() }
        }
        if ended == nil {
            logger.warning("database connections still closing after \(Self.shutdownWait); exiting without them")
        }
    }

    /// How long shutdown waits for the pool's connections to close.
    package static let shutdownWait = Duration.seconds(5)

    /// Starts a fresh client for requests; the one it replaces serves the requests it holds
    /// until their deadline.
    private func replaceClient() {
        let fresh = ReplaceableClient(
            configuration: parameters.clientConfiguration(poolSize: poolSize, deadline: deadline), logger: logger)
        fresh.start()
        let retireAt = clock.now + deadline + .seconds(1)
        state.withLockedValue { state in
            state.retired.append(RetiredClient(client: state.current, retireAt: retireAt))
            state.replacements += 1
            state.current = fresh
        }
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
    package func withConnection<T: Sendable>(
        deadline: Duration,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async -> Result<T, any Error>? {
        await withConnection(until: clock.now + deadline, body)
    }

    /// The same, by the instant `due`; nil at once when it has passed.
    package func withConnection<T: Sendable>(
        until due: AnyClock.Instant,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async -> Result<T, any Error>? {
        guard due > clock.now else { return nil }
        let client = self.client
        let lease = LeaseBreaker()
        return await deadlines.run(until: due, onTimeout: { lease.breakLease() }) {
            try await client.withConnection { connection in try await lease.hold(connection, body) }
        }
    }

    /// Whether PostgreSQL accepts a new connection and answers on it.
    private func probe() async -> Bool {
        guard
            let configuration = try? parameters.connectionConfiguration(
                deadline: deadline, applicationName: "atelier-serve-probe")
        else { return false }
        let outcome = await deadlines.run(.seconds(2), onTimeout: {}) {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: 0, logger: self.logger)
            do {
                let count = try await connection.query("SELECT 1", logger: self.logger).collect().count
                try? await connection.close()
                return count
            } catch {
                try? await connection.close()
                throw error
            }
        }
        return (try? outcome?.get()) == 1
    }

    /// Ends the replaced clients whose requests have had their deadline.
    private func endDueRetiredClients() {
        let now = clock.now
        state.withLockedValue { state in
            for index in state.retired.indices where !state.retired[index].ended {
                guard state.retired[index].retireAt <= now else { continue }
                state.retired[index].client.end()
                state.retired[index].ended = true
            }
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
