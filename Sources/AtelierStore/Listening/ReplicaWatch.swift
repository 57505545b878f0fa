import Logging
import PostgresNIO
import ServiceLifecycle

/// Asks the replica how far it has replayed, every `interval`, for `ReadRouter`. A replica that
/// does not answer within a second gets no reads until it does; a read server that is not in
/// recovery (the primary itself) reports its current position. It keeps the time of its pool's clock.
package struct ReplicaWatch: Service {
    package let pool: DatabasePool
    package let router: ReadRouter
    package let logger: Logger
    package var interval: Duration = .milliseconds(50)

    package init(pool: DatabasePool, router: ReadRouter, logger: Logger, interval: Duration = .milliseconds(50)) {
        self.pool = pool
        self.router = router
        self.logger = logger
        self.interval = interval
    }

    package func run() async {
        await cancelWhenGracefulShutdown {
            var answering = true
            while !Task.isCancelled {
                let position = await replayed()
                if let position { router.replicaReplayed(position) } else { router.replicaFailed() }
                if (position != nil) != answering {
                    answering = position != nil
                    if answering {
                        logger.notice("replica answering again: reads go to it")
                    } else {
                        logger.warning("replica not answering: reads go to the primary")
                    }
                }
                try? await pool.clock.sleep(for: interval)
            }
        }
    }

    private func replayed() async -> LSN? {
        let outcome = await pool.withConnection(deadline: .seconds(1)) { connection in
            let rows = try await connection.query(
                "SELECT coalesce(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn())::text", logger: logger)
            for try await text in rows.decode(String.self) { return LSN(text) }
            return nil
        }
        return (try? outcome?.get()) ?? nil
    }
}
