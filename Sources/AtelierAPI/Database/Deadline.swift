import NIOConcurrencyHelpers

/// Runs work against a deadline without waiting for the work once the deadline passes: a
/// database call on a frozen server ignores cancellation, so a task group (which waits for
/// its children) would hang the request with it. The work goes on in a task of its own until
/// it fails, which `onTimeout` hastens by closing its connection. Two tasks per call, the work
/// and its timer; whichever ends first answers and stops the other.
enum Deadline {
    /// The work's result, or nil when `deadline` passed first (after `onTimeout` ran).
    static func run<T: Sendable>(
        _ deadline: Duration, onTimeout: @escaping @Sendable () -> Void,
        _ work: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error>? {
        /// Whether the call was answered, and the timer to stop when the work answers first.
        let state = NIOLockedValueBox<(answered: Bool, timer: Task<Void, Never>?)>((false, nil))
        return await withCheckedContinuation { continuation in
            let worker = Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                let (first, timer) = state.withLockedValue { state in
                    defer { state.answered = true }
                    return (!state.answered, state.timer)
                }
                guard first else { return }
                timer?.cancel()
                continuation.resume(returning: result)
            }
            let timer = Task {
                try? await Task.sleep(for: deadline)
                let first = state.withLockedValue { state in
                    defer { state.answered = true }
                    return !state.answered
                }
                guard first else { return }
                onTimeout()
                worker.cancel()
                continuation.resume(returning: nil)
            }
            // The worker may already have answered; then the timer is stopped here.
            let answered = state.withLockedValue { state in
                state.timer = timer
                return state.answered
            }
            if answered { timer.cancel() }
        }
    }
}
