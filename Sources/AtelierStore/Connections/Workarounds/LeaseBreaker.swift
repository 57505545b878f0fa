import NIOConcurrencyHelpers
import PostgresNIO

/// Ends a pooled connection's lease from outside it: `breakLease()` closes the connection that
/// `hold` is running a body on, so that a statement stuck on a frozen server throws instead of
/// holding the lease forever.
///
/// postgres-nio does not promise this: its connections are meant to be closed by the pool.
/// What is relied on, and tested by `PostgresNIOAssumptionTests`: closing a leased connection
/// from another task makes the body's statement throw promptly, and the client then opens a
/// fresh connection in its place, so the pool does not shrink.
package final class LeaseBreaker: Sendable {
    private let held = NIOLockedValueBox<PostgresConnection?>(nil)
    private let broken = NIOLockedValueBox(false)

    package init() {}

    /// Runs `body` on `connection`, which `breakLease()` may close meanwhile; one lease at a
    /// time. A lease broken before it began closes its connection at once.
    package func hold<T>(
        _ connection: PostgresConnection, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let alreadyBroken = held.withLockedValue { held in
            held = connection
            return broken.withLockedValue { $0 }
        }
        if alreadyBroken { close(connection) }
        defer { held.withLockedValue { $0 = nil } }
        return try await body(connection)
    }

    /// Closes the held connection, if any, without waiting for the close to complete.
    package func breakLease() {
        let connection = held.withLockedValue { held in
            broken.withLockedValue { $0 = true }
            defer { held = nil }
            return held
        }
        if let connection { close(connection) }
    }

    private func close(_ connection: PostgresConnection) {
        let _: EventLoopFuture<Void> = connection.close()
    }
}
