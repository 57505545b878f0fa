@testable import AtelierStore
import NIOConcurrencyHelpers
import Testing

/// The change listener's heartbeat on a manual clock: one check per interval; a check late by
/// its timeout, or one that finds the triggers missing, ends it with that reason.
@Suite struct ListenerHeartbeatTests {
    let manual = ManualClock()

    func heartbeat() -> (ListenerHeartbeat, DeadlineWatch) {
        let deadlines = DeadlineWatch(clock: AnyClock(manual), tick: .milliseconds(50))
        return (ListenerHeartbeat(deadlines: deadlines, interval: .seconds(1), timeout: .seconds(2)), deadlines)
    }

    @Test func oneCheckPerInterval() async throws {
        let (heartbeat, deadlines) = heartbeat()
        let watch = Task { await deadlines.watch() }
        defer { watch.cancel() }
        let checks = NIOLockedValueBox(0)
        let run = Task {
            try await heartbeat.run {
                checks.withLockedValue { $0 += 1 }
                return true
            }
        }
        for beat in 1...3 {
            #expect(await manual.sleeping(until: .seconds(beat)), "the heartbeat sleeps until its next beat")
            manual.advance(by: .seconds(1))
            #expect(await eventually { checks.withLockedValue { $0 } == beat })
        }
        run.cancel()
        await #expect(throws: CancellationError.self) { try await run.value }
        #expect(checks.withLockedValue { $0 } == 3)
    }

    @Test func aCheckLateByItsTimeoutEndsItAsLate() async throws {
        let (heartbeat, deadlines) = heartbeat()
        let watch = Task { await deadlines.watch() }
        defer { watch.cancel() }
        let gate = DeadlineWatchTests.Gate()
        defer { gate.open() }
        let run = Task {
            try await heartbeat.run {
                await gate.wait()
                return true
            }
        }
        #expect(await manual.sleeping(until: .seconds(1)))
        manual.advance(by: .seconds(1))
        #expect(await eventually { deadlines.pendingCount == 1 }, "the check is waiting")
        #expect(await manual.sleeping(until: .milliseconds(1_050)), "the watch, woken by the check")
        manual.advance(by: .milliseconds(1_990))
        #expect(await manual.sleeping(until: .milliseconds(3_040)))
        #expect(deadlines.pendingCount == 1, "not late yet")
        manual.advance(by: .milliseconds(50))
        await #expect(throws: ListenerHeartbeat.Failure.late) { try await run.value }
    }

    @Test func missingTriggersEndItAtTheFirstCheck() async throws {
        let (heartbeat, deadlines) = heartbeat()
        let watch = Task { await deadlines.watch() }
        defer { watch.cancel() }
        await #expect(throws: ListenerHeartbeat.Failure.triggersMissing) { try await heartbeat.beat { false } }
        let failing = Task { try await heartbeat.beat { throw CancellationError() } }
        await #expect(throws: CancellationError.self) { try await failing.value }
    }
}
