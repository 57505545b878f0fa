@testable import AtelierStore
import NIOConcurrencyHelpers
import Testing

/// The pool's supervision with fake pings and probes on a manual clock: which verdict each
/// situation gets, what it costs to reach it, and that it comes once per tick.
@Suite struct PoolSupervisorTests {
    /// Answers the supervisor's questions as told, and counts them.
    final class FakePool: Sendable {
        struct State {
            var successes = 0
            var failures = 0
            var pingAnswers = true
            var probeAnswers = true
            var pings = 0
            var probes = 0
        }

        let state = NIOLockedValueBox(State())

        func supervisor(clock: AnyClock, tick: Duration = .seconds(1)) -> PoolSupervisor {
            PoolSupervisor(
                clock: clock, tick: tick,
                takeCounts: {
                    self.state.withLockedValue { state in
                        defer { (state.successes, state.failures) = (0, 0) }
                        return (state.successes, state.failures)
                    }
                },
                ping: {
                    self.state.withLockedValue { state in
                        state.pings += 1
                        return state.pingAnswers
                    }
                },
                probe: {
                    self.state.withLockedValue { state in
                        state.probes += 1
                        return state.probeAnswers
                    }
                })
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let situation: String
        let successes, failures: Int
        let ping, probe: Bool
        let verdict: PoolSupervisor.Verdict
        let pings, probes: Int
        var testDescription: String { situation }
    }

    @Test(arguments: [
        Case(
            situation: "answered requests and no failure", successes: 3, failures: 0, ping: false, probe: false,
            verdict: .reachable, pings: 0, probes: 0),
        Case(
            situation: "failures behind a lock, the pool answers", successes: 3, failures: 2, ping: true, probe: false,
            verdict: .reachable, pings: 1, probes: 0),
        Case(
            situation: "an idle pool that answers", successes: 0, failures: 0, ping: true, probe: false,
            verdict: .reachable, pings: 1, probes: 0),
        Case(
            situation: "PostgreSQL down", successes: 0, failures: 4, ping: false, probe: false, verdict: .unreachable,
            pings: 1, probes: 1),
        Case(
            situation: "PostgreSQL back, the pool backing off", successes: 0, failures: 4, ping: false, probe: true,
            verdict: .replacePool, pings: 1, probes: 1),
    ])
    func verdicts(_ situation: Case) async {
        let pool = FakePool()
        pool.state.withLockedValue { state in
            (state.successes, state.failures) = (situation.successes, situation.failures)
            (state.pingAnswers, state.probeAnswers) = (situation.ping, situation.probe)
        }
        let supervisor = pool.supervisor(clock: AnyClock(ManualClock()))
        #expect(await supervisor.judge() == situation.verdict)
        #expect(pool.state.withLockedValue { ($0.pings, $0.probes) } == (situation.pings, situation.probes))
        // The counts start again from zero after each judgement.
        #expect(pool.state.withLockedValue { ($0.successes, $0.failures) } == (0, 0))
    }

    @Test func oneVerdictPerTickAndALastOneWhenCancelled() async {
        let manual = ManualClock()
        let pool = FakePool()
        pool.state.withLockedValue { $0.pingAnswers = false }
        let supervisor = pool.supervisor(clock: AnyClock(manual), tick: .seconds(1))
        let verdicts = NIOLockedValueBox<[PoolSupervisor.Verdict]>([])
        let run = Task { await supervisor.run { verdict in verdicts.withLockedValue { $0.append(verdict) } } }
        #expect(await manual.sleepers(atLeast: 1))
        manual.advance(by: .milliseconds(999))
        #expect(await manual.sleepers(atLeast: 1))
        #expect(verdicts.withLockedValue { $0 }.isEmpty, "not before the tick")
        manual.advance(by: .milliseconds(1))
        #expect(await eventually { verdicts.withLockedValue { $0 } == [.replacePool] })
        #expect(await manual.sleepers(atLeast: 1))
        pool.state.withLockedValue { $0.successes = 1 }
        manual.advance(by: .seconds(1))
        #expect(await eventually { verdicts.withLockedValue { $0 } == [.replacePool, .reachable] })
        #expect(await manual.sleepers(atLeast: 1))
        run.cancel()
        await run.value
        #expect(verdicts.withLockedValue { $0 } == [.replacePool, .reachable, .replacePool], "the last word")
        manual.advance(by: .seconds(5))
        #expect(verdicts.withLockedValue { $0.count } == 3, "then none")
    }
}
