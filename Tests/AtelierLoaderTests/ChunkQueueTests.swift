import AtelierCatalog
@testable import AtelierLoader
import Foundation
import Testing

@Suite struct ChunkQueueTests {
    static func chunk(_ byte: UInt8, size: Int = 100) -> ChunkQueue.Chunk {
        let buffer = GrowableBuffer(capacity: size)
        [UInt8](repeating: byte, count: size).withUnsafeBytes { buffer.append($0) }
        return ChunkQueue.Chunk(buffer: buffer, rowsRead: Int(byte), bytesRead: Int(byte) * size)
    }

    /// Runs `body` on a thread of its own and signals `done` when it returns.
    static func onThread(_ done: DispatchSemaphore, _ body: @escaping @Sendable () -> Void) {
        Thread {
            body()
            done.signal()
        }.start()
    }

    @Test func chunksArriveInOrderAndTakeEndsAfterClose() {
        let queue = ChunkQueue(limit: 1_000)
        for byte in UInt8(1)...3 { #expect(queue.put(Self.chunk(byte))) }
        queue.close()
        var seen: [Int] = []
        while let chunk = queue.take() {
            seen.append(chunk.rowsRead)
            #expect(chunk.buffer.bytes.allSatisfy { $0 == UInt8(chunk.rowsRead) })
        }
        #expect(seen == [1, 2, 3])
        #expect(queue.take() == nil)
    }

    @Test func theProducerWaitsWhileTheLimitIsQueued() {
        let queue = ChunkQueue(limit: 200)
        let done = DispatchSemaphore(value: 0)
        Self.onThread(done) {
            for byte in UInt8(1)...3 { _ = queue.put(Self.chunk(byte)) }
        }
        // Two chunks fill the limit: the third put waits until one is taken.
        #expect(done.wait(timeout: .now() + 0.3) == .timedOut)
        #expect(queue.take()?.rowsRead == 1)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(queue.take()?.rowsRead == 2)
        #expect(queue.take()?.rowsRead == 3)
    }

    @Test func cancellingReleasesAWaitingProducerAndStopsIt() {
        let queue = ChunkQueue(limit: 100)
        #expect(queue.put(Self.chunk(1)))
        let done = DispatchSemaphore(value: 0)
        let refused = Flag()
        Self.onThread(done) { refused.value = !queue.put(Self.chunk(2)) }
        #expect(done.wait(timeout: .now() + 0.3) == .timedOut)
        queue.cancel()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(refused.value)
        #expect(!queue.put(Self.chunk(3)))
    }

    @Test func sentBuffersAreReusedEmpty() {
        let queue = ChunkQueue(limit: 1_000)
        let chunk = Self.chunk(7)
        queue.recycle(chunk.buffer)
        let reused = queue.emptyBuffer()
        #expect(reused === chunk.buffer)
        #expect(reused.count == 0)
        #expect(queue.emptyBuffer() !== chunk.buffer)
    }

    @Test func onlyAFewSentBuffersAreKept() {
        let queue = ChunkQueue(limit: 1_000)
        let buffers = (0..<(ChunkQueue.spareLimit + 5)).map { _ in GrowableBuffer(capacity: 16) }
        for buffer in buffers { queue.recycle(buffer) }
        let reused = (0..<(ChunkQueue.spareLimit + 5)).map { _ in queue.emptyBuffer() }
        #expect(reused.filter { buffer in buffers.contains { $0 === buffer } }.count == ChunkQueue.spareLimit)
    }
}

/// A Bool written by one thread and read by another after a semaphore orders them.
private final class Flag: @unchecked Sendable {
    var value = false
}
