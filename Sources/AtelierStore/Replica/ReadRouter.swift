import AtelierCatalog
import NIOConcurrencyHelpers
import NIOCore

/// Decides where each read goes so that no one sees an answer older than a change this server
/// knows of, while the replica takes what it can (docs/replicas.md):
///
/// - Every change this server hears of (its own writes, the listener's notifications) waits
///   for the listener's next *marker*: `pg_current_wal_insert_lsn()` on the primary, read after the
///   change was heard, so at or past its commit. Markers are read only when wanted (a change
///   heard, a client waiting), at most every 50 ms. A read of the changed rows (or tables) goes to
///   the primary until that marker is read and the replica has replayed past it.
/// - Markers are also published on the change channel (`lsn:X`). A listener that has received
///   marker X has received every change committed at or before X (each commit queues its
///   notification before the marker could read a position past it). A request carrying the
///   position of its client's last write (`ReadYourWrites`) is served from the
///   cache or the replica only once this server has heard a marker at or past it; before
///   that, from the primary, and not stored.
/// - While the listener is not listening, or the replica does not answer, reads go to the
///   primary.
public final class ReadRouter: Sendable {
    /// Where one read goes.
    package enum Route: Equatable {
        case replica
        case primary
        /// The primary, and the cache neither serves nor stores it.
        case primaryUncached
    }

    private struct Marker {
        let index: UInt64
        let position: LSN
        let read: AnyClock.Instant
    }

    private struct State {
        var listening = false
        var replicaAnswers = false
        /// Markers taken so far; a change heard now needs marker `issued + 1`.
        var issued: UInt64 = 0
        /// Every marker up to this one is replayed by the replica.
        var replayedMarkers: UInt64 = 0
        /// The marker every read needs: the first after the listener (re)started listening.
        var everyoneNeeds: UInt64 = 1
        /// Markers read and not yet replayed, oldest first.
        var unreplayed = CircularBuffer<Marker>()
        var latestMarker = LSN.zero
        var replayed = LSN.zero
        /// The latest marker received on the channel (from any server).
        var heard = LSN.zero
        /// The marker each change needs replayed.
        var needs = ChangeStamps()
        var replicaReads = 0
        var primaryReads = 0
        /// Whether a marker is wanted: a change was heard, or a client waits for one, since
        /// the last. An idle server reads none.
        var markerWanted = true
    }

    /// Whether reads may go to a replica at all (`--read-database-url`).
    public let hasReplica: Bool
    /// What the replica's lag in time is measured by.
    package let clock: AnyClock
    private let state = NIOLockedValueBox(State())

    public init(hasReplica: Bool, clock: AnyClock = .continuous) {
        self.hasReplica = hasReplica
        self.clock = clock
    }

    /// Where a read of `Statement`'s answer about row `id` goes, for a client whose last write
    /// was at `written` (if it said).
    package func route<Statement: CachedStatement>(_ statement: Statement.Type, id: Int32, written: LSN?) -> Route {
        // The common case without a replica needs no lock.
        if !hasReplica, written == nil { return .primary }
        return state.withLockedValue { state in
            let route = Self.route(
                &state, tables: Statement.tablesRead, space: Statement.keySpace, id: id, written: written)
            if route == .replica { state.replicaReads += 1 } else { state.primaryReads += 1 }
            return route
        }
    }

    private static func route(
        _ state: inout State, tables: Set<TableName>, space: CacheKeySpace?, id: Int32, written: LSN?
    ) -> Route {
        if let written, written > state.heard || !state.listening {
            state.markerWanted = true
            return .primaryUncached
        }
        guard state.listening, state.replicaAnswers else { return .primary }
        let need = max(state.everyoneNeeds, state.needs.latest(tables: tables, space: space, id: id))
        return need <= state.replayedMarkers ? .replica : .primary
    }

    /// A change this server heard of: its rows are read from the primary until the next marker
    /// is replayed.
    package func changed(_ change: TableChange) {
        state.withLockedValue { state in
            state.markerWanted = true
            // Without a replica the marker only serves clients' own writes (`heard`).
            if hasReplica { state.needs.record(change, stamp: state.issued + 1) }
        }
    }

    /// The listener is about to read a marker, if one is wanted; returns its index for
    /// `markerRead`, nil when none is wanted.
    package func issueMarker() -> UInt64? {
        state.withLockedValue { state in
            guard state.markerWanted else { return nil }
            state.markerWanted = false
            state.issued += 1
            return state.issued
        }
    }

    /// Marker `index` read the primary's WAL position `position`.
    package func markerRead(_ index: UInt64, at position: LSN) {
        // Without a replica nothing replays markers: keeping them would grow without end.
        guard hasReplica else { return }
        state.withLockedValue { state in
            state.unreplayed.append(Marker(index: index, position: position, read: clock.now))
            state.latestMarker = max(state.latestMarker, position)
            Self.advance(&state)
        }
    }

    /// A marker (from any server) arrived on the change channel: every change committed at or
    /// before it has arrived too.
    package func heard(_ position: LSN) {
        state.withLockedValue { $0.heard = max($0.heard, position) }
    }

    /// The replica answered: it has replayed up to `position`.
    package func replicaReplayed(_ position: LSN) {
        state.withLockedValue { state in
            state.replicaAnswers = true
            state.replayed = max(state.replayed, position)
            Self.advance(&state)
        }
    }

    /// The replica did not answer: reads go to the primary until it does.
    package func replicaFailed() {
        state.withLockedValue { $0.replicaAnswers = false }
    }

    /// The listener started or stopped listening. Stopped, it may miss changes: reads go to
    /// the primary until it listens again and the replica has replayed its first marker.
    package func setListening(_ listening: Bool) {
        state.withLockedValue { state in
            state.listening = listening
            state.markerWanted = true
            guard !listening else { return }
            state.everyoneNeeds = state.issued + 1
            state.needs = ChangeStamps()
        }
    }

    private static func advance(_ state: inout State) {
        while let oldest = state.unreplayed.first, oldest.position <= state.replayed {
            state.replayedMarkers = oldest.index
            state.unreplayed.removeFirst()
        }
        if state.needs.rowCount > 100_000 { state.needs.forgetRows(notAfter: state.replayedMarkers) }
    }

    /// How far the replica is behind the primary as this server sees it: bytes from its replay
    /// position to the latest marker, and how long the oldest marker it has not replayed has
    /// waited. Zero without a replica.
    package var lag: (bytes: UInt64, seconds: Double) {
        state.withLockedValue { state in
            let bytes = state.latestMarker > state.replayed ? state.latestMarker.value - state.replayed.value : 0
            guard let oldest = state.unreplayed.first else { return (bytes, 0) }
            let waited = oldest.read.duration(to: clock.now)
            return (bytes, Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18)
        }
    }

    /// Reads routed so far, by destination (for tests and metrics).
    package var reads: (replica: Int, primary: Int) {
        state.withLockedValue { ($0.replicaReads, $0.primaryReads) }
    }

    package var isListening: Bool { state.withLockedValue { $0.listening } }
}
