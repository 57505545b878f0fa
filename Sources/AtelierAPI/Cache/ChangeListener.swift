import AtelierDatabase
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps the response cache honest across every writer (other servers, the loader, psql):
/// LISTENs on the channel the catalogue tables' triggers notify at commit, and drops the
/// answers that read a changed table. The cache is on only while this is listening; after a
/// lost connection it reconnects and starts from an empty cache.
struct ChangeListener: Service {
    let client: PostgresClient
    let cache: ResponseCache
    let logger: Logger

    /// Runs until the application shuts down (a service that returns early would stop it).
    func run() async throws {
        if cache.capacity > 0 {
            await cancelWhenGracefulShutdown { await listenUntilCancelled() }
            cache.setEnabled(false)
        } else {
            try? await gracefulShutdown()
        }
    }

    private func listenUntilCancelled() async {
        var warned = false
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    guard try await triggersInstalled(connection) else {
                        if !warned {
                            logger.warning("response cache off: the change triggers are missing; run atelier-etl load to install them")
                            warned = true
                        }
                        try await Task.sleep(for: .seconds(30))
                        return
                    }
                    try await connection.listen(on: Schema.changeChannel) { notifications in
                        cache.setEnabled(true)
                        logger.debug("response cache on: listening for changes")
                        for try await notification in notifications {
                            cache.tablesChanged([notification.payload])
                        }
                    }
                }
            } catch {
                logger.debug("change listener: \(String(reflecting: error))")
            }
            cache.setEnabled(false)
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func triggersInstalled(_ connection: PostgresConnection) async throws -> Bool {
        let names = Schema.changeTriggerNames
        let rows = try await connection.query("SELECT count(*)::int4 FROM pg_trigger WHERE tgname = ANY(\(names))", logger: logger)
        for try await count in rows.decode(Int32.self) { return count == names.count }
        return false
    }
}
