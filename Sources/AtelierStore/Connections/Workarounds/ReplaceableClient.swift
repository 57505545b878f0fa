import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// A `PostgresClient` with the task that runs it, so that a client can be replaced by a fresh
/// one and ended alone while the fresh one serves.
///
/// After an outage postgres-nio's pool retries with a backoff that grows to a minute and
/// cannot be shortened, while its waiting leases neither fail nor connect; a client that has
/// backed off that far stays down after PostgreSQL is back. What is relied on, and tested by
/// `PostgresNIOAssumptionTests`: a lease on a client that cannot connect waits rather than
/// failing (so only a deadline ends it), a fresh client connects at once, and cancelling a
/// client's `run()` closes its connections and returns.
package final class ReplaceableClient: Sendable {
    package let client: PostgresClient
    private let run = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// A client that connects once started; leases asked for before wait.
    package init(configuration: PostgresClient.Configuration, logger: Logger) {
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Starts the client's run, once. It is not a child of the caller's task group: the owner
    /// ends each client alone (a replaced one while the current one serves), which a group's
    /// children do not allow; the owner keeps the client and awaits `ended()`.
    package func start() {
        run.withLockedValue { run in
            guard run == nil else { return }
            let client = self.client
            run = Task.detached { await client.run() }
        }
    }

    /// Closes the client's connections; leases in progress end with an error.
    package func end() { run.withLockedValue { $0 }?.cancel() }

    /// Returns when the client's run has returned (at once if it never started).
    package func ended() async { await run.withLockedValue { $0 }?.value }
}
