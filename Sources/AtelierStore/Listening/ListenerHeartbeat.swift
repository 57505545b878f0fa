/// How the change listener knows its connection still works: every `interval` a check runs on
/// it, and must answer within `timeout`. A check that answers late means the connection is
/// gone (a dead server, a TCP flow dropped silently); one that answers false means the change
/// triggers are missing or disabled. Either ends `run()` with the reason.
package struct ListenerHeartbeat: Sendable {
    package enum Failure: Error, Equatable {
        /// The check did not answer within `timeout`.
        case late
        /// The check answered that the triggers are not all there.
        case triggersMissing
    }

    package let deadlines: DeadlineWatch
    package let interval: Duration
    package let timeout: Duration

    /// Runs `check` once within `timeout`.
    package func beat(_ check: @escaping @Sendable () async throws -> Bool) async throws {
        let outcome = await deadlines.run(timeout, onTimeout: {}, check)
        guard let outcome else { throw Failure.late }
        guard try outcome.get() else { throw Failure.triggersMissing }
    }

    /// Runs `check` every `interval` until one fails (thrown) or the task is cancelled.
    package func run(_ check: @escaping @Sendable () async throws -> Bool) async throws {
        while true {
            try await deadlines.clock.sleep(for: interval)
            try await beat(check)
        }
    }
}
