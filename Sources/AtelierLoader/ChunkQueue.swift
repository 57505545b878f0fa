import AtelierCatalog
import Foundation

/// Encoded COPY data handed from the thread that reads and cleans a file to the thread that
/// sends it. At most `limit` bytes wait, so memory stays bounded whatever the file size, and
/// sent buffers come back for reuse instead of being allocated per chunk.
///
/// Every property is guarded by `condition`, hence `@unchecked Sendable`.
final class ChunkQueue: @unchecked Sendable {
    /// One filled buffer, and how far into the file its producer had read when it was full.
    struct Chunk {
        let buffer: GrowableBuffer
        let rowsRead: Int
        let bytesRead: Int
    }

    /// How full a buffer gets before it is queued, and so the size of each `PQputCopyData`:
    /// 32–64 KiB measured fastest here; larger chunks lose overlap on two cores.
    static let chunkSize = 64 * 1024
    /// Buffers kept for reuse at most; more would hold memory after a backlog was sent.
    static let spareLimit = 16

    private let condition = NSCondition()
    private let limit: Int
    private var waiting: [Chunk] = []
    private var waitingBytes = 0
    private var spare: [GrowableBuffer] = []
    private var closed = false
    private var cancelled = false

    init(limit: Int) {
        self.limit = limit
    }

    /// A buffer for the producer to fill: a returned one when there is one.
    func emptyBuffer() -> GrowableBuffer {
        condition.withLock { spare.popLast() } ?? GrowableBuffer(capacity: 2 * Self.chunkSize)
    }

    /// Queues a filled chunk, waiting while `limit` bytes already wait; false once the
    /// consumer has cancelled, when the producer should stop.
    func put(_ chunk: Chunk) -> Bool {
        condition.withLock {
            while waitingBytes >= limit && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            waiting.append(chunk)
            waitingBytes += chunk.buffer.count
            condition.broadcast()
            return true
        }
    }

    /// The producer has queued its last chunk.
    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    /// The next chunk, waiting for one; nil once the producer closed and all were taken.
    func take() -> Chunk? {
        condition.withLock {
            while waiting.isEmpty && !closed { condition.wait() }
            guard !waiting.isEmpty else { return nil }
            let chunk = waiting.removeFirst()
            waitingBytes -= chunk.buffer.count
            condition.broadcast()
            return chunk
        }
    }

    /// Gives a sent chunk's buffer back to the producer.
    func recycle(_ buffer: GrowableBuffer) {
        buffer.removeAll()
        condition.withLock {
            if spare.count < Self.spareLimit { spare.append(buffer) }
        }
    }

    /// Tells the producer to stop and drops what waits.
    func cancel() {
        condition.withLock {
            cancelled = true
            waiting.removeAll()
            waitingBytes = 0
            condition.broadcast()
        }
    }
}
