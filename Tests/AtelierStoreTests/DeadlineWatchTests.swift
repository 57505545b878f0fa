@testable import AtelierStore
import NIOConcurrencyHelpers
import Testing

/// Deadlines on a manual clock: a call is answered by its work when the work ends in time, and
/// at the watch's first tick past its deadline when it does not, never before.
@Suite struct DeadlineWatchTests {
    /// Work that waits until the test opens the gate, and notes whether it saw cancellation.
    final class Gate: Sendable {
        private let state = NIOLockedValueBox<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let open = state.withLockedValue { state in
                    if !state.open { state.waiting.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            for waiting in state.withLockedValue({ state in
                state.open = true
                defer { state.waiting = [] }
                return state.waiting
            }) { waiting.resume() }
        }
    }

    let manual = ManualClock()
    var clock: AnyClock { AnyClock(manual) }

    @Test func workThatEndsInTimeIsItsAnswer() async throws {
        let deadlines = DeadlineWatch(clock: clock, tick: .milliseconds(50))
        let watch = Task { await deadlines.watch() }
        defer { watch.cancel() }
        let outcome = await deadlines.run(.seconds(5), onTimeout: { Issue.record("no timeout") }) { 7 }
        #expect(try outcome?.get() == 7)
        #expect(deadlines.pendingCount == 0)
    }

    @Test func workPastItsDeadlineIsAnsweredAtTheFirstTickAfterItNeverBefore() async throws {
        let deadlines = DeadlineWatch(clock: clock, tick: .milliseconds(50))
        let watch = Task { await deadlines.watch() }
        defer { watch.cancel() }
        let gate = Gate()
        let timedOut = NIOLockedValueBox(0)
        let workCancelled = NIOLockedValueBox(false)
        let call = Task {
            await deadlines.run(.seconds(5), onTimeout: { timedOut.withLockedValue { $0 += 1 } }) {
                await gate.wait()
                workCancelled.withLockedValue { $0 = Task.isCancelled }
                return 7
            }
        }
        #expect(await eventually { deadlines.pendingCount == 1 })
        #expect(await manual.sleeping(until: .milliseconds(50)), "a pending call wakes the watch")
        manual.advance(by: .milliseconds(4_990))
        // The watch has looked (and gone back to sleep) with the deadline 10 ms away.
        #expect(await manual.sleeping(until: .milliseconds(5_040)))
        #expect(deadlines.pendingCount == 1)
        #expect(timedOut.withLockedValue { $0 } == 0)
        manual.advance(by: .milliseconds(50))
        #expect(await call.value == nil)
        #expect(timedOut.withLockedValue { $0 } == 1)
        gate.open()
        #expect(await eventually { workCancelled.withLockedValue { $0 } }, "the work is told to stop")
        #expect(deadlines.pendingCount == 0)
    }

    @Test func anIdleWatchSleepsWithoutATimer() async throws {
        let deadlines = DeadlineWatch(clock: clock, tick: .milliseconds(50))
        let watch = Task { await deadlines.watch() }
        defer { watch.cancel() }
        _ = await deadlines.run(.seconds(5), onTimeout: {}) { 1 }
        // Woken by the call, it looks once more after a tick, then parks until the next call.
        #expect(await manual.sleeping(until: .milliseconds(50)))
        manual.advance(by: .milliseconds(50))
        #expect(await eventually { manual.sleeperCount == 0 })
        for _ in 0..<1000 { await Task.yield() }
        #expect(manual.sleeperCount == 0, "no timer while no call is pending")
    }

    @Test func onceTheWatchEndsEveryCallTimesOutAtOnce() async throws {
        let deadlines = DeadlineWatch(clock: clock)
        let watch = Task { await deadlines.watch() }
        let gate = Gate()
        defer { gate.open() }
        let pending = Task { await deadlines.run(.seconds(60), onTimeout: {}) { await gate.wait() } }
        #expect(await eventually { deadlines.pendingCount == 1 })
        watch.cancel()
        #expect(await pending.value == nil, "the pending call")
        let timedOut = NIOLockedValueBox(false)
        let late = await deadlines.run(.seconds(60), onTimeout: { timedOut.withLockedValue { $0 = true } }) { 1 }
        #expect(late == nil, "a call after the end")
        #expect(timedOut.withLockedValue { $0 })
    }
}
