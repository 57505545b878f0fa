/// Judges a connection pool once per `tick`, from what its requests saw since the last tick:
/// healthy when requests got answers; else a ping through the pool decides; when the ping
/// fails but PostgreSQL accepts a standalone connection (`probe`), the pool is stuck in its
/// own backoff and must be replaced. A separate type so that the rule and its timing are tested
/// on a manual clock with fake pings.
package struct PoolSupervisor: Sendable {
    package enum Verdict: Equatable, Sendable {
        case reachable
        /// The ping failed and so did a standalone connection: PostgreSQL is down.
        case unreachable
        /// The ping failed but a standalone connection answered: replace the pool.
        case replacePool
    }

    package let clock: AnyClock
    package let tick: Duration
    /// Requests that reached the database and that did not, since the last call (which resets them).
    package let takeCounts: @Sendable () -> (successes: Int, failures: Int)
    /// Whether a query through the pool answers.
    package let ping: @Sendable () async -> Bool
    /// Whether a new connection outside the pool answers.
    package let probe: @Sendable () async -> Bool

    /// One judgement. Failures alone may be requests stuck behind a lock: the pool is fine if
    /// it answers a ping.
    package func judge() async -> Verdict {
        let counts = takeCounts()
        if counts.successes > 0, counts.failures == 0 { return .reachable }
        if await ping() { return .reachable }
        return await probe() ? .replacePool : .unreachable
    }

    /// Judges every `tick` until cancelled, handing each verdict to `act`, and once more when
    /// cancelled, so that the last word (and log line) on the pool is its state at the end.
    package func run(_ act: (Verdict) async -> Void) async {
        while true {
            let cancelled = (try? await clock.sleep(for: tick)) == nil
            await act(await judge())
            if cancelled { return }
        }
    }
}
