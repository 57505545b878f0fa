import NIOConcurrencyHelpers

/// Runs work against a deadline without waiting for the work once the deadline passes: a
/// database call on a frozen server ignores cancellation, so a task group (which waits for
/// its children) would hang the request with it. The work goes on in a task of its own until
/// it fails, which `onTimeout` hastens by closing its connection.
///
/// One task per call, the work; the deadlines of all calls are watched by one loop, `watch()`,
/// that wakes every `tick` while calls are pending and sleeps without a timer while none are,
/// so a call costs no timer of its own and an idle owner costs nothing. Whichever comes first,
/// the work's end or the watch, answers the call. The owner runs `watch()` while it makes
/// calls; once the watch has ended, every call still pending, and any new one, times out at once.
package final class DeadlineWatch: Sendable {
    package let clock: AnyClock
    /// How often the watch looks for calls past their deadline: a late answer comes at most
    /// this much after the deadline.
    package let tick: Duration

    private struct Call {
        let due: AnyClock.Instant
        let expire: @Sendable () -> Void
    }

    private struct State {
        var next: UInt64 = 0
        var pending: [UInt64: Call] = [:]
        var ended = false
        /// The watch, parked while no call is pending; a new call wakes it.
        var parked: CheckedContinuation<Void, Never>?
        var cancelled = false
    }

    private let state = NIOLockedValueBox(State())

    package init(clock: AnyClock = .continuous, tick: Duration = .milliseconds(50)) {
        self.clock = clock
        self.tick = tick
    }

    /// The work's result, or nil when `deadline` passed first (after `onTimeout` ran).
    package func run<T: Sendable>(
        _ deadline: Duration, onTimeout: @escaping @Sendable () -> Void,
        _ work: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error>? {
        await run(until: clock.now + deadline, onTimeout: onTimeout, work)
    }

    /// The work's result, or nil when `due` passed first (after `onTimeout` ran).
    package func run<T: Sendable>(
        until due: AnyClock.Instant, onTimeout: @escaping @Sendable () -> Void,
        _ work: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error>? {
        await withCheckedContinuation { continuation in
            let worker = NIOLockedValueBox<Task<Void, Never>?>(nil)
            let expire: @Sendable () -> Void = {
                onTimeout()
                worker.withLockedValue { $0?.cancel() }
                continuation.resume(returning: nil)
            }
            guard let call = add(due: due, expire: expire) else {
                expire()
                return
            }
            // Unstructured on purpose: the call must be answerable while its work hangs, which
            // a child task would not allow. The work ends by itself, failed by `onTimeout`.
            let task = Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                if self.remove(call) { continuation.resume(returning: result) }
            }
            worker.withLockedValue { $0 = task }
        }
    }

    /// Expires calls past their deadline every `tick` while any is pending, until cancelled;
    /// then every call left.
    package func watch() async {
        while await waitForCalls(), (try? await clock.sleep(for: tick)) != nil {
            let now = clock.now
            expire { $0.due <= now }
        }
        state.withLockedValue { $0.ended = true }
        expire { _ in true }
    }

    /// Returns at once while calls are pending, else when one is added; false once cancelled.
    private func waitForCalls() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let parked = state.withLockedValue { state in
                    guard state.pending.isEmpty, !state.cancelled else { return false }
                    state.parked = continuation
                    return true
                }
                if !parked { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { state in
                state.cancelled = true
                defer { state.parked = nil }
                return state.parked
            }?.resume()
        }
        return !state.withLockedValue { $0.cancelled }
    }

    /// Calls waiting for their work.
    package var pendingCount: Int { state.withLockedValue { $0.pending.count } }

    /// Watches a call; `expire` runs once if it is still pending at `due`. Nil once the watch
    /// has ended.
    private func add(due: AnyClock.Instant, expire: @escaping @Sendable () -> Void) -> UInt64? {
        let (call, parked) = state.withLockedValue { state -> (UInt64?, CheckedContinuation<Void, Never>?) in
            guard !state.ended else { return (nil, nil) }
            state.next &+= 1
            state.pending[state.next] = Call(due: due, expire: expire)
            defer { state.parked = nil }
            return (state.next, state.parked)
        }
        parked?.resume()
        return call
    }

    /// Takes the call out; false when the watch took it first.
    private func remove(_ call: UInt64) -> Bool {
        state.withLockedValue { $0.pending.removeValue(forKey: call) != nil }
    }

    private func expire(where isDue: (Call) -> Bool) {
        let expired = state.withLockedValue { state -> [@Sendable () -> Void] in
            let ids = state.pending.compactMap { isDue($0.value) ? $0.key : nil }
            return ids.compactMap { state.pending.removeValue(forKey: $0)?.expire }
        }
        for expire in expired { expire() }
    }
}
