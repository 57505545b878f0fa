import AtelierPostgres
import CLibPQ

/// COPY through libpq, which only the loader uses: binary rows in, a column of ids out.
extension Connection {
    /// Streams `COPY (…) TO STDOUT` rows in text format to `body`, one line at a time.
    func copyOut(_ sql: String, _ body: (UnsafeRawBufferPointer) -> Void) throws(DatabaseError) {
        let start = PQexec(handle, sql)
        let status = PQresultStatus(start)
        PQclear(start)
        guard status == PGRES_COPY_OUT else { throw lastError(sql: sql) }
        var buffer: UnsafeMutablePointer<CChar>?
        while true {
            let length = PQgetCopyData(handle, &buffer, 0)
            if length == -1 { break }
            guard length >= 0, let row = buffer else { throw lastError(sql: sql) }
            body(UnsafeRawBufferPointer(start: row, count: Int(length)))
            PQfreemem(row)
        }
        try drainResults(sql: sql)
    }

    /// Starts `COPY … FROM STDIN`; feed it through the returned writer.
    func copyIn(_ sql: String) throws(DatabaseError) -> CopyInStream {
        willSend?(sql)
        let result = PQexec(handle, sql)
        let status = PQresultStatus(result)
        defer { PQclear(result) }
        guard status == PGRES_COPY_IN else { throw error(from: result, sql: sql) }
        return CopyInStream(connection: self, sql: sql)
    }
}
