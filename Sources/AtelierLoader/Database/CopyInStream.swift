import AtelierPostgres
import CLibPQ

/// The client end of a `COPY … FROM STDIN`: each chunk given to `send` goes to the server
/// with `PQputCopyData`; the server's verdict on the whole stream arrives at `finish()`.
final class CopyInStream {
    private let connection: Connection
    private let sql: String
    private var open = true

    init(connection: Connection, sql: String) {
        self.connection = connection
        self.sql = sql
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws(DatabaseError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard PQputCopyData(connection.handle, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count)) == 1 else {
            throw connection.lastError(sql: sql)
        }
    }

    /// Ends the stream; the server's verdict on the whole COPY arrives here.
    func finish() throws(DatabaseError) {
        open = false
        guard PQputCopyEnd(connection.handle, nil) == 1 else { throw connection.lastError(sql: sql) }
        try connection.drainResults(sql: sql)
    }

    /// Abandons the stream: the server fails the COPY and the transaction must roll back.
    func abort(_ reason: String) {
        guard open else { return }
        open = false
        if PQputCopyEnd(connection.handle, reason) == 1 { try? connection.drainResults(sql: sql) }
    }
}
