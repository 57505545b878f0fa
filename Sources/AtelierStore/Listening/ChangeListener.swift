import AtelierPostgres
import AtelierSchema
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps the response cache honest across every writer (other servers, the loader, psql):
/// LISTENs on the channel the catalogue tables' triggers notify at commit, and drops the
/// answers that read a changed table. The cache is on only while this is listening. It tells
/// the `ReadRouter` of the same changes and, every `markerInterval` when the router wants one,
/// reads the primary's WAL position and publishes it on the channel (`lsn:X`): that is how the
/// router knows when the replica has caught up with a change and when a client's write has
/// been heard.
///
/// It has a connection of its own, outside the pool (so a pool of one still serves), and
/// watches it (`ListenerHeartbeat`): every `heartbeat` it checks, on that connection and within
/// `heartbeatTimeout`, that every table's trigger is there, on the right table, and enabled for
/// every session (`ENABLE ALWAYS`). A failed or late check (a dead server, a TCP flow dropped
/// silently, a trigger dropped or disabled) turns the cache off at once; it reconnects after
/// `reconnectDelay` and starts again from an empty cache.
package struct ChangeListener: Service {
    package let parameters: ConnectionParameters
    package let cache: ResponseCache
    package let router: ReadRouter
    package let logger: Logger
    /// How often the connection is checked, and how long a check may take.
    package var heartbeat: Duration = .seconds(1)
    package var heartbeatTimeout: Duration = .seconds(2)
    package var markerInterval: Duration = .milliseconds(50)
    package var reconnectDelay: Duration = .seconds(1)
    package var clock: AnyClock = .continuous

    package init(
        parameters: ConnectionParameters, cache: ResponseCache, router: ReadRouter, logger: Logger,
        heartbeat: Duration = .seconds(1), heartbeatTimeout: Duration = .seconds(2),
        markerInterval: Duration = .milliseconds(50), reconnectDelay: Duration = .seconds(1),
        clock: AnyClock = .continuous
    ) {
        self.parameters = parameters
        self.cache = cache
        self.router = router
        self.logger = logger
        self.heartbeat = heartbeat
        self.heartbeatTimeout = heartbeatTimeout
        self.markerInterval = markerInterval
        self.reconnectDelay = reconnectDelay
        self.clock = clock
    }

    /// Runs until the application shuts down (a service that returns early would stop it).
    package func run() async throws {
        if cache.capacity > 0 || router.hasReplica {
            let deadlines = DeadlineWatch(clock: clock)
            await withDiscardingTaskGroup { group in
                group.addTask { await deadlines.watch() }
                await cancelWhenGracefulShutdown { await listenUntilCancelled(deadlines) }
                group.cancelAll()
            }
            stopped()
        } else {
            try? await gracefulShutdown()
        }
    }

    private func listenUntilCancelled(_ deadlines: DeadlineWatch) async {
        var lastProblem: String?
        while !Task.isCancelled {
            let problem: String
            do {
                try await listenOnce(deadlines)
                problem = "the listener's connection ended"
            } catch ListenerHeartbeat.Failure.triggersMissing {
                problem = "the change triggers are missing or disabled; run atelier-etl load to install them"
            } catch ListenerHeartbeat.Failure.late {
                problem = "the listener's connection stopped answering"
            } catch {
                problem = "the listener cannot connect: \(String(reflecting: error))"
            }
            stopped()
            if problem != lastProblem, !Task.isCancelled {
                logger.warning("response cache off, reads from the primary: \(problem)")
                lastProblem = problem
            }
            try? await clock.sleep(for: reconnectDelay)
        }
    }

    /// Connects, checks the triggers, then listens until the heartbeat fails.
    private func listenOnce(_ deadlines: DeadlineWatch) async throws {
        let configuration = try parameters.connectionConfiguration(
            deadline: heartbeatTimeout, applicationName: "atelier-serve-listener")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        // Cancelled as it connected, postgres-nio may hand back a connection it is closing.
        if Task.isCancelled {
            try? await connection.close()
            return
        }
        do {
            try await listen(on: connection, deadlines: deadlines)
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    /// Every query on this connection has a deadline: one written to a connection that has
    /// just closed is never answered (postgres-nio drops it with no error), and would hang the
    /// listener.
    private func listen(on connection: PostgresConnection, deadlines: DeadlineWatch) async throws {
        let heartbeat = ListenerHeartbeat(deadlines: deadlines, interval: heartbeat, timeout: heartbeatTimeout)
        let checkTriggers = { @Sendable in try await triggersWatch(connection) }
        try await heartbeat.beat(checkTriggers)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await connection.listen(on: Schema.changeChannel) { notifications in
                    cache.setEnabled(true)
                    router.setListening(true)
                    logger.notice("listening for changes: response cache on")
                    for try await notification in notifications {
                        if let marker = LSN(marker: notification.payload) {
                            router.heard(marker)
                            continue
                        }
                        for change in TableChange.parse(notification: notification.payload) {
                            cache.apply(change)
                            router.changed(change)
                        }
                    }
                }
            }
            group.addTask {
                while true {
                    try await clock.sleep(for: markerInterval)
                    guard let index = router.issueMarker() else { continue }
                    let outcome = await deadlines.run(heartbeatTimeout, onTimeout: {}) {
                        try await publishMarker(connection)
                    }
                    guard let position = try outcome?.get() else { throw ListenerHeartbeat.Failure.late }
                    router.markerRead(index, at: position)
                }
            }
            group.addTask { try await heartbeat.run(checkTriggers) }
            defer { group.cancelAll() }
            // Whichever ends first ends both; the cache goes off before the connection closes.
            do {
                try await group.next()
            } catch {
                stopped()
                let _: EventLoopFuture<Void> = connection.close()
                throw error
            }
        }
    }

    private func stopped() {
        cache.setEnabled(false)
        router.setListening(false)
    }

    /// Reads the primary's WAL position and publishes it on the change channel.
    private func publishMarker(_ connection: PostgresConnection) async throws -> LSN? {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL:
                    "SELECT l::text FROM pg_current_wal_insert_lsn() l, pg_notify('\(Schema.changeChannel)', 'lsn:' || l::text)"
            ), logger: logger)
        for try await text in rows.decode(String.self) { return LSN(text) }
        return nil
    }

    /// Whether every catalogue table has its change trigger, enabled for every session.
    private func triggersWatch(_ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: Schema.changeTriggerCheck), logger: logger)
        for try await count in rows.decode(Int32.self) { return count == Schema.changeTriggers.count }
        return false
    }
}
