import NIOConcurrencyHelpers

/// Runs work against a deadline without waiting for the work once the deadline passes: a
/// database call on a frozen server ignores cancellation, so a task group (which waits for
/// its children) would hang the request with it. The work goes on in a task of its own until
/// it fails, which `onTimeout` hastens by closing its connection.
///
/// One task per call, the work; the deadlines of all calls are watched by a single task that
/// wakes every `tick` (`Watch`), so a call costs no timer of its own. Whichever comes first,
/// the work's end or the watch, answers the call.
enum Deadline {
    /// How often the watch looks for calls past their deadline: a late answer comes at most
    /// this much after the deadline.
    static let tick = Duration.milliseconds(50)

    /// The work's result, or nil when `deadline` passed first (after `onTimeout` ran).
    static func run<T: Sendable>(
        _ deadline: Duration, onTimeout: @escaping @Sendable () -> Void,
        _ work: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error>? {
        await run(until: .now + deadline, onTimeout: onTimeout, work)
    }

    /// The work's result, or nil when `due` passed first (after `onTimeout` ran).
    static func run<T: Sendable>(
        until due: ContinuousClock.Instant, onTimeout: @escaping @Sendable () -> Void,
        _ work: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error>? {
        await withCheckedContinuation { continuation in
            let worker = NIOLockedValueBox<Task<Void, Never>?>(nil)
            let call = Watch.shared.add(due: due) {
                onTimeout()
                worker.withLockedValue { $0?.cancel() }
                continuation.resume(returning: nil)
            }
            let task = Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                if Watch.shared.remove(call) { continuation.resume(returning: result) }
            }
            worker.withLockedValue { $0 = task }
        }
    }

    /// The calls waiting for their work, each with its deadline and what to do when it passes.
    /// Taking a call out is what answers it: the work's end and the watch race for it.
    final class Watch: Sendable {
        static let shared = Watch()

        private struct Call {
            let due: ContinuousClock.Instant
            let expire: @Sendable () -> Void
        }

        private let calls = NIOLockedValueBox<(next: UInt64, pending: [UInt64: Call])>((0, [:]))

        private init() {
            Task.detached { [self] in
                while true {
                    try? await Task.sleep(for: Deadline.tick)
                    expireDue()
                }
            }
        }

        /// Watches a call; `expire` runs once if it is still pending at `due`.
        func add(due: ContinuousClock.Instant, expire: @escaping @Sendable () -> Void) -> UInt64 {
            calls.withLockedValue { calls in
                calls.next &+= 1
                calls.pending[calls.next] = Call(due: due, expire: expire)
                return calls.next
            }
        }

        /// Takes the call out; false when the watch took it first.
        func remove(_ call: UInt64) -> Bool {
            calls.withLockedValue { $0.pending.removeValue(forKey: call) != nil }
        }

        private func expireDue() {
            let now = ContinuousClock.now
            let due = calls.withLockedValue { calls -> [@Sendable () -> Void] in
                let ids = calls.pending.compactMap { $0.value.due <= now ? $0.key : nil }
                return ids.compactMap { calls.pending.removeValue(forKey: $0)?.expire }
            }
            for expire in due { expire() }
        }
    }
}
