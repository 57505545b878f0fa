import AtelierCatalog
import Foundation
@_spi(CustomByteBufferAllocator) import NIOCore

/// Whole JSON answers of the read routes, and "names nothing" answers, kept in memory up to a
/// byte budget, so that a hot product page costs no database round trip. It stays correct after
/// writes by anyone:
/// - every catalogue table notifies its changes at commit with the products and questions they
///   touch (`Schema`'s triggers), and `ChangeListener` drops the answers about those rows of
///   every statement reading the table; a bulk change drops the table's answers;
/// - a change that carries a count column's new values (a helpful vote) patches the answers
///   that show them instead, where the statement can (`CachedStatement.patch`, `CountPatch`);
/// - this server also applies its own writes' changes right after them, before answering;
/// - an answer read before a change is not stored after it: a ticket taken before the query is
///   checked against the latest change of the answer's row and tables;
/// - while the listener is not connected, the cache is off: nothing is served or stored.
public final class ResponseCache: @unchecked Sendable {
    public typealias Key = CacheKey

    /// What a request gets from the cache.
    public enum Answer: Equatable, Sendable {
        /// The answer's bytes and their entity tag.
        case found(ByteBuffer, tag: String)
        /// The id names nothing (a 404), until a change brings the row.
        case missing
    }

    /// An answer as the cache keeps it: the body's bytes in an allocation of exactly their size,
    /// which every hit shares (a ByteBuffer's own allocations are rounded up to a power of two,
    /// which the budget would have to count and nobody reads).
    private enum Held {
        case found(ByteBuffer, tag: String)
        case missing

        init(_ answer: Answer) {
            switch answer {
            case .found(let body, let tag): self = .found(Self.exactCopy(body), tag: tag)
            case .missing: self = .missing
            }
        }

        var answer: Answer {
            switch self {
            case .found(let body, let tag): .found(body, tag: tag)
            case .missing: .missing
            }
        }

        /// What it counts against the budget: its allocation, as stored and as dropped alike.
        var size: Int {
            switch self {
            case .found(let body, _): body.capacity + ResponseCache.entryOverhead
            case .missing: ResponseCache.entryOverhead
            }
        }

        /// `body`'s readable bytes in a buffer that owns an allocation of just their size. The
        /// body may sit in a larger allocation (the connection's read buffer, or the
        /// compaction's, reserved at the uncompacted size), and the budget counts allocations.
        private static func exactCopy(_ body: ByteBuffer) -> ByteBuffer {
            let count = max(body.readableBytes, 1)
            guard let memory = malloc(count) else { return ByteBuffer(bytes: body.readableBytesView) }
            let bytes = UnsafeMutableRawBufferPointer(start: memory, count: count)
            body.withUnsafeReadableBytes { bytes.copyMemory(from: $0) }
            // The default allocator frees with free(), as malloc() wants.
            return ByteBuffer(
                takingOwnershipOf: bytes, allocator: ByteBufferAllocator(), writerIndex: body.readableBytes)
        }
    }

    /// An answer held, and the store that queued it for eviction: an entry of the queue that
    /// names another store is stale (its answer was dropped or stored again since).
    private struct Entry {
        let held: Held
        let queued: UInt64
    }

    /// What the cache knows of a statement: what it reads, what its ids name, and how a count
    /// change patches its answers (`CachedStatement.patch`).
    private struct Reader {
        let tablesRead: Set<TableName>
        let columnsRead: [TableName: Set<String>]
        let keySpace: CacheKeySpace?
        let patch: (ByteBuffer, CacheKey, String, [TableChange.Count]) -> CountPatch

        /// Whether `change` can alter the statement's answers: a table it reads, and for an
        /// UPDATE a column it reads.
        func reads(_ change: TableChange) -> Bool {
            guard tablesRead.contains(change.table) else { return false }
            guard let changed = change.columns, let read = columnsRead[change.table] else { return true }
            return !read.isDisjoint(with: changed)
        }
    }

    /// Bytes counted per answer besides its body: its key, dictionary and queue slots, tag,
    /// change stamps and the allocator's rounding and headers: measured as RSS over a server
    /// with no cache, divided by the answers held, so that `make bench-memory` keeps the RSS
    /// within the budget plus a fixed base.
    package static let entryOverhead = 640
    /// Change stamps kept per row before they are forgotten (and older tickets refused).
    package static let maximumStamps = 100_000

    /// The byte budget; 0 turns the cache off for good.
    public let capacity: Int
    private let lock = NSLock()
    private var enabled = false
    /// Answers by key: a hit costs one hash.
    private var answers: [Key: Entry] = [:]
    /// The keys held, by statement and row id: what a change drops.
    private var keysByRow: [ObjectIdentifier: [Int32: [Key]]] = [:]
    private var readers: [ObjectIdentifier: Reader] = [:]
    /// Keys in the order they were stored, for eviction, each with the store that queued it;
    /// may hold stale entries (`Entry`).
    private var order = CircularBuffer<(key: Key, queued: UInt64)>()
    /// Stores that queued an entry, since the start.
    private var queued: UInt64 = 0
    /// Times stale entries were swept out of `order` (for tests).
    private var sweeps = 0
    /// Answers patched by a count change instead of dropped, since the start.
    private var patches = 0
    private var count = 0
    private var bytes = 0
    /// A clock moved by every change; a ticket is its value before a query.
    private var clock: UInt64 = 0
    /// Tickets below this may not store (set when stamps are forgotten and when turned on or off).
    private var floor: UInt64 = 0
    private var stamps = ChangeStamps()
    /// Table changes applied since the start (for metrics).
    private var changesApplied = 0

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The cached answer for `key`, if the cache is on and holds it.
    package func lookup(_ key: Key) -> Answer? {
        lock.withLock { enabled ? answers[key] : nil }?.held.answer
    }

    /// Taken before querying; `store` keeps the answer only if nothing it depends on changed
    /// in between. Nil when the cache is off.
    package func ticket() -> UInt64? {
        lock.withLock { enabled ? clock : nil }
    }

    package func store<Statement: CachedStatement>(
        _ answer: Answer, for key: Key, of statement: Statement.Type, ticket: UInt64?
    ) {
        guard let ticket else { return }
        let answer = Held(answer)
        let size = answer.size
        guard size <= capacity / 8 else { return }
        lock.withLock {
            guard enabled, !changed(since: ticket, Statement.tablesRead, Statement.keySpace, key.id) else { return }
            if readers[key.statement] == nil {
                readers[key.statement] = Reader(
                    tablesRead: Statement.tablesRead, columnsRead: Statement.columnsRead, keySpace: Statement.keySpace,
                    patch: Statement.patch)
            }
            queued += 1
            if let previous = answers.updateValue(Entry(held: answer, queued: queued), forKey: key) {
                bytes -= previous.held.size
            } else {
                keysByRow[key.statement, default: [:]][key.id, default: []].append(key)
                count += 1
            }
            order.append((key, queued))
            bytes += size
            while bytes > capacity, evictOldest() {}
        }
    }

    /// Drops the answers `change` can alter, and keeps answers being built now from being stored.
    public func apply(_ change: TableChange) {
        lock.withLock {
            clock &+= 1
            changesApplied += 1
            stamps.record(change, stamp: clock)
            if stamps.rowCount > Self.maximumStamps {
                stamps.forgetRows(notAfter: clock)
                floor = clock
            }
            for (statement, reader) in readers where reader.reads(change) {
                guard let space = reader.keySpace, let ids = change.keys(space) else {
                    drop(statement)
                    continue
                }
                guard space == .product, let counts = change.counts, let column = change.columns?.first,
                    change.columns?.count == 1
                else {
                    for id in ids { drop(statement, id) }
                    continue
                }
                for id in ids { patch(statement, id, reader, column, counts.filter { $0.product == id }) }
            }
            while bytes > capacity, evictOldest() {}
        }
    }

    /// Patches the answers of `statement` about product `id` with its rows' new `counts`, or
    /// drops those a patch cannot answer for. Each keeps its place in the eviction queue.
    private func patch(
        _ statement: ObjectIdentifier, _ id: Int32, _ reader: Reader, _ column: String, _ counts: [TableChange.Count]
    ) {
        guard !counts.isEmpty else { return drop(statement, id) }
        for key in keysByRow[statement]?[id] ?? [] {
            guard let entry = answers[key] else { continue }
            guard case .found(let body, _) = entry.held else {
                remove(key)
                continue
            }
            switch reader.patch(body, key, column, counts) {
            case .unchanged: continue
            case .replaced(let body):
                let held = Held(.found(body, tag: EntityTag.of(body)))
                bytes += held.size - entry.held.size
                answers[key] = Entry(held: held, queued: entry.queued)
                patches += 1
            case .drop: remove(key)
            }
        }
    }

    /// Drops everything built from any of `tables`.
    public func tablesChanged(_ tables: some Sequence<TableName>) {
        for table in tables { apply(.whole(table)) }
    }

    /// Turns the cache on (the change listener is listening) or off (it is not); either way
    /// it starts empty, as changes may have been missed, and refuses every ticket taken before.
    package func setEnabled(_ on: Bool) {
        lock.withLock {
            enabled = on && capacity > 0
            clock &+= 1
            floor = clock
            answers = [:]
            keysByRow = [:]
            order = CircularBuffer()
            count = 0
            bytes = 0
            stamps = ChangeStamps()
        }
    }

    /// Whether answers are being served and stored.
    public var isEnabled: Bool { lock.withLock { enabled } }

    /// Whether every answer it gives is correct: no cache at all, or one the listener keeps.
    public var keepsCorrect: Bool { capacity == 0 || isEnabled }

    /// Entries of the eviction queue, stale ones included, and the sweeps that took the stale
    /// ones out so far (for tests).
    var evictionQueue: (entries: Int, sweeps: Int) { lock.withLock { (order.count, sweeps) } }

    /// Answers patched by count changes instead of dropped, since the start.
    package var patched: Int { lock.withLock { patches } }

    /// Bytes held, overhead included.
    public var bytesHeld: Int { lock.withLock { bytes } }

    /// Answers held.
    public var answerCount: Int { lock.withLock { count } }

    /// Table changes applied since the start.
    public var invalidations: Int { lock.withLock { changesApplied } }

    /// Whether a change that an answer of this statement and id depends on came after `ticket`.
    /// Called under the lock.
    private func changed(since ticket: UInt64, _ tables: Set<TableName>, _ space: CacheKeySpace?, _ id: Int32) -> Bool {
        ticket < floor || stamps.latest(tables: tables, space: space, id: id) > ticket
    }

    /// Drops every answer of `statement`, or only those about row `id`. Called under the lock.
    private func drop(_ statement: ObjectIdentifier, _ id: Int32? = nil) {
        let keys: [Key]
        if let id {
            guard let row = keysByRow[statement]?.removeValue(forKey: id) else { return }
            keys = row
        } else {
            guard let rows = keysByRow.removeValue(forKey: statement) else { return }
            keys = rows.values.flatMap { $0 }
        }
        for key in keys {
            guard let answer = answers.removeValue(forKey: key) else { continue }
            count -= 1
            bytes -= answer.held.size
        }
        // Stale entries stay in `order` until evicted; keep it from outgrowing the answers. A sweep
        // leaves one entry per answer, so the next comes only once stale entries outnumber the
        // answers by 1,024: spread over the stores that made them, its cost per store is constant.
        if order.count > 2 * count + 1024 {
            order = CircularBuffer(order.filter { answers[$0.key]?.queued == $0.queued })
            sweeps += 1
        }
    }

    /// Evicts the oldest answer still held; false when there is none. Called under the lock.
    private func evictOldest() -> Bool {
        while let (key, queued) = order.popFirst() {
            guard answers[key]?.queued == queued else { continue }
            remove(key)
            return true
        }
        bytes = 0
        return false
    }

    /// Drops the answer held for `key`; its queue entry goes stale. Called under the lock.
    private func remove(_ key: Key) {
        guard let answer = answers.removeValue(forKey: key) else { return }
        keysByRow[key.statement]?[key.id]?.removeAll { $0 == key }
        if keysByRow[key.statement]?[key.id]?.isEmpty == true { keysByRow[key.statement]?[key.id] = nil }
        count -= 1
        bytes -= answer.held.size
    }
}
