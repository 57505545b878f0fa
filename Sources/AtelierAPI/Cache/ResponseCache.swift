import AtelierCatalog
import Foundation
import NIOCore

/// Whole JSON answers of the read routes, kept in memory up to a byte budget, so that a hot
/// product page costs no database round trip. It stays correct after writes by anyone:
/// - every catalogue table notifies its changes at commit (`Schema`'s triggers), and
///   `ChangeListener` drops the answers of every route that reads a changed table;
/// - this server also drops them itself right after its own writes, before answering;
/// - an answer read before a change is not stored after it (the generation ticket);
/// - while the listener is not connected, the cache is off: nothing is served or stored.
public final class ResponseCache: @unchecked Sendable {
    /// One cached answer: the statement that built it and its parameters.
    public struct Key: Hashable, Sendable {
        let statement: ObjectIdentifier
        let id: Int32
        let page: Int
        let count: Int
        let variant: Int

        init<Statement: CachedStatement>(
            _ statement: Statement.Type, id: Int32 = 0, page: Int = 0, count: Int = 0, variant: Int = 0
        ) {
            self.statement = ObjectIdentifier(statement)
            self.id = id
            self.page = page
            self.count = count
            self.variant = variant
        }
    }

    /// The answers of one statement, oldest first for eviction.
    private struct Answers {
        let tablesRead: Set<TableName>
        var bodies: [Key: ByteBuffer] = [:]
        var order = CircularBuffer<Key>()
        var bytes = 0
    }

    /// Bytes counted per answer besides its body: key, dictionary and queue slots.
    static let entryOverhead = 96

    /// The byte budget; 0 turns the cache off for good.
    public let capacity: Int
    private let lock = NSLock()
    private var enabled = false
    private var generation: UInt64 = 0
    private var statements: [ObjectIdentifier: Answers] = [:]
    private var bytes = 0

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The cached answer for `key`, if the cache is on and holds it.
    func lookup(_ key: Key) -> ByteBuffer? {
        lock.withLock { enabled ? statements[key.statement]?.bodies[key] : nil }
    }

    /// Taken before querying; `store` keeps the answer only if nothing changed in between.
    /// Nil when the cache is off.
    func ticket() -> UInt64? {
        lock.withLock { enabled ? generation : nil }
    }

    func store<Statement: CachedStatement>(
        _ body: ByteBuffer, for key: Key, of statement: Statement.Type, ticket: UInt64?
    ) {
        guard let ticket, body.readableBytes + Self.entryOverhead <= capacity / 8 else { return }
        // The row's bytes are a slice of the connection's read buffer: keep a copy of just them,
        // or each entry would pin a whole buffer and the budget would not bound memory. The copy's
        // allocation (NIO rounds it up to a power of two) is what counts against the budget.
        let body = ByteBuffer(bytes: body.readableBytesView)
        let size = Self.size(of: body)
        lock.withLock {
            guard enabled, ticket == generation else { return }
            var answers = statements.removeValue(forKey: key.statement) ?? Answers(tablesRead: Statement.tablesRead)
            if answers.bodies.updateValue(body, forKey: key) == nil {
                answers.order.append(key)
                answers.bytes += size
                bytes += size
            }
            statements[key.statement] = answers
            while bytes > capacity { evictOldest() }
        }
    }

    /// Drops every answer built from any of `tables`, and any answer being built now.
    public func tablesChanged(_ tables: some Sequence<TableName>) {
        let tables = Set(tables)
        lock.withLock {
            generation &+= 1
            for (statement, answers) in statements where !answers.tablesRead.isDisjoint(with: tables) {
                bytes -= answers.bytes
                statements[statement] = nil
            }
        }
    }

    /// Turns the cache on (the change listener is listening) or off (it is not); either way
    /// it starts empty, as changes may have been missed.
    func setEnabled(_ on: Bool) {
        lock.withLock {
            enabled = on && capacity > 0
            generation &+= 1
            statements = [:]
            bytes = 0
        }
    }

    /// Whether answers are being served and stored.
    public var isEnabled: Bool { lock.withLock { enabled } }

    /// Bytes held, overhead included.
    public var bytesHeld: Int { lock.withLock { bytes } }

    /// What an answer counts against the budget: its allocation, as stored and as evicted alike.
    private static func size(of body: ByteBuffer) -> Int {
        body.capacity + entryOverhead
    }

    /// Evicts the oldest answer of the statement holding the most bytes. Called under the lock.
    private func evictOldest() {
        guard let statement = statements.max(by: { $0.value.bytes < $1.value.bytes })?.key,
            var answers = statements.removeValue(forKey: statement), let key = answers.order.popFirst(),
            let body = answers.bodies.removeValue(forKey: key)
        else {
            bytes = 0
            statements = [:]
            return
        }
        let size = Self.size(of: body)
        answers.bytes -= size
        bytes -= size
        statements[statement] = answers
    }
}
