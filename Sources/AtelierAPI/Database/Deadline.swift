import NIOConcurrencyHelpers

/// Runs work against a deadline without waiting for the work once the deadline passes: a
/// database call on a frozen server ignores cancellation, so a task group (which waits for
/// its children) would hang the request with it. The work goes on in a task of its own until
/// it fails, which `onTimeout` hastens by closing its connection.
enum Deadline {
    /// The work's result, or nil when `deadline` passed first (after `onTimeout` ran).
    static func run<T: Sendable>(_ deadline: Duration, onTimeout: @escaping @Sendable () -> Void,
                                 _ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
        let answered = NIOLockedValueBox(false)
        /// True for the first caller only.
        let claim: @Sendable () -> Bool = { answered.withLockedValue { done in defer { done = true }; return !done } }
        let worker = Task { try await work() }
        return await withCheckedContinuation { continuation in
            let timer = Task {
                try? await Task.sleep(for: deadline)
                guard claim() else { return }
                onTimeout()
                worker.cancel()
                continuation.resume(returning: nil)
            }
            Task {
                let result = await worker.result
                guard claim() else { return }
                timer.cancel()
                continuation.resume(returning: result)
            }
        }
    }
}
