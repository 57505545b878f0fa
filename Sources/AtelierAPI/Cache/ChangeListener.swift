import AtelierPostgres
import AtelierSchema
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps the response cache honest across every writer (other servers, the loader, psql):
/// LISTENs on the channel the catalogue tables' triggers notify at commit, and drops the
/// answers that read a changed table. The cache is on only while this is listening.
///
/// It has a connection of its own, outside the pool (so a pool of one still serves), and
/// watches it: every `heartbeat` it checks, on that connection and within `heartbeatTimeout`, that
/// every table's trigger is there, on the right table, and enabled for every session
/// (`ENABLE ALWAYS`). A failed or late check (a dead server, a TCP flow dropped silently, a
/// trigger dropped or disabled) turns the cache off at once; it reconnects and starts again
/// from an empty cache.
struct ChangeListener: Service {
    let parameters: ConnectionParameters
    let cache: ResponseCache
    let logger: Logger
    /// How often the connection is checked, and how long a check may take.
    var heartbeat: Duration = .seconds(1)
    var heartbeatTimeout: Duration = .seconds(2)

    /// Runs until the application shuts down (a service that returns early would stop it).
    func run() async throws {
        if cache.capacity > 0 {
            await cancelWhenGracefulShutdown { await listenUntilCancelled() }
            cache.setEnabled(false)
        } else {
            try? await gracefulShutdown()
        }
    }

    private enum Stop: Error {
        case heartbeatFailed, triggersMissing
    }

    private func listenUntilCancelled() async {
        var lastProblem: String?
        while !Task.isCancelled {
            let problem: String
            do {
                try await listenOnce()
                problem = "the listener's connection ended"
            } catch Stop.triggersMissing {
                problem = "the change triggers are missing or disabled; run atelier-etl load to install them"
            } catch Stop.heartbeatFailed {
                problem = "the listener's connection stopped answering"
            } catch {
                problem = "the listener cannot connect: \(String(reflecting: error))"
            }
            cache.setEnabled(false)
            if problem != lastProblem, !Task.isCancelled {
                logger.warning("response cache off: \(problem)")
                lastProblem = problem
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Connects, checks the triggers, then listens until the heartbeat fails.
    private func listenOnce() async throws {
        let configuration = parameters.connectionConfiguration(
            deadline: heartbeatTimeout, applicationName: "atelier-serve-listener")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await listen(on: connection)
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    private func listen(on connection: PostgresConnection) async throws {
        guard try await triggersWatch(connection) else { throw Stop.triggersMissing }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await connection.listen(on: Schema.changeChannel) { notifications in
                    cache.setEnabled(true)
                    logger.notice("response cache on: listening for changes")
                    for try await notification in notifications {
                        for change in TableChange.parse(notification: notification.payload) { cache.apply(change) }
                    }
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: heartbeat)
                    let outcome = await Deadline.run(heartbeatTimeout, onTimeout: {}) {
                        try await triggersWatch(connection)
                    }
                    guard let outcome else { throw Stop.heartbeatFailed }
                    guard try outcome.get() else { throw Stop.triggersMissing }
                }
            }
            defer { group.cancelAll() }
            // Whichever ends first ends both; the cache goes off before the connection closes.
            do {
                try await group.next()
            } catch {
                cache.setEnabled(false)
                let _: EventLoopFuture<Void> = connection.close()
                throw error
            }
        }
    }

    /// Whether every catalogue table has its change trigger, enabled for every session.
    private func triggersWatch(_ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: Schema.changeTriggerCheck), logger: logger)
        for try await count in rows.decode(Int32.self) { return count == Schema.changeTriggers.count }
        return false
    }
}
