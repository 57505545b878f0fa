import AtelierCatalog
import CLibPQ

/// The client end of a `COPY … FROM STDIN`: bytes are gathered into ~64 KiB chunks and sent
/// with `PQputCopyData`, so the client's parsing overlaps the server's ingestion.
public final class CopyInStream {
    /// 32–64 KiB chunks measured fastest here; larger chunks lose overlap on two cores.
    public static let chunkSize = 64 * 1024

    private let connection: Connection
    private let sql: String
    /// Pending bytes; encoders append here and then call `flushIfFull()`.
    public let buffer = ByteBuffer(capacity: 2 * chunkSize)
    /// Bytes handed to libpq so far.
    public private(set) var bytesSent = 0
    private var open = true

    init(connection: Connection, sql: String) {
        self.connection = connection
        self.sql = sql
    }

    /// Sends the pending bytes once they fill a chunk; true when a chunk was sent.
    @inline(__always)
    @discardableResult
    public func flushIfFull() throws(DatabaseError) -> Bool {
        guard buffer.count >= Self.chunkSize else { return false }
        try flush()
        return true
    }

    public func flush() throws(DatabaseError) {
        guard buffer.count > 0 else { return }
        let sent = PQputCopyData(connection.handle, buffer.base.assumingMemoryBound(to: CChar.self), Int32(buffer.count))
        guard sent == 1 else { throw connection.lastError(sql: sql) }
        bytesSent += buffer.count
        buffer.removeAll()
    }

    /// Ends the stream; the server's verdict on the whole COPY arrives here.
    public func finish() throws(DatabaseError) {
        try flush()
        open = false
        guard PQputCopyEnd(connection.handle, nil) == 1 else { throw connection.lastError(sql: sql) }
        try connection.drainResults(sql: sql)
    }

    /// Abandons the stream: the server fails the COPY and the transaction must roll back.
    public func abort(_ reason: String) {
        guard open else { return }
        open = false
        if PQputCopyEnd(connection.handle, reason) == 1 { try? connection.drainResults(sql: sql) }
    }
}
