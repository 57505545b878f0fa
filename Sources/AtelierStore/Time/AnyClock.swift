/// A clock of one concrete type over any clock counted in `Duration`: what the server's types
/// take, so that production hands them the continuous clock and a test a manual one, without
/// making each type generic over its clock.
///
/// Its instants count from the moment the clock was wrapped; copies of one `AnyClock` share
/// that origin, so only instants of the same wrapped clock may be compared.
public struct AnyClock: Clock, Sendable {
    public struct Instant: InstantProtocol, Sendable {
        /// Time since the wrapped clock's origin.
        let offset: Duration

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: rhs) }
    }

    private let currentOffset: @Sendable () -> Duration
    private let sleepUntil: @Sendable (Duration, Duration?) async throws -> Void
    public let minimumResolution: Duration

    public init<Wrapped: Clock>(_ clock: Wrapped) where Wrapped.Duration == Duration {
        let origin = clock.now
        currentOffset = { origin.duration(to: clock.now) }
        sleepUntil = { offset, tolerance in
            try await clock.sleep(until: origin.advanced(by: offset), tolerance: tolerance)
        }
        minimumResolution = clock.minimumResolution
    }

    /// The continuous clock: the one every server type uses unless a test says otherwise.
    public static let continuous = AnyClock(ContinuousClock())

    public var now: Instant { Instant(offset: currentOffset()) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await sleepUntil(deadline.offset, tolerance)
    }
}
