import AtelierCatalog
import AtelierPostgres
import AtelierSchema
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

extension Connection {
    /// Sends `encoder`'s rows through one `COPY … FROM STDIN (FORMAT binary)` into `table` in
    /// `namespace` (frozen when staged: the table was created in the same transaction) and fills
    /// `report`'s counts. Returns the ids the encoder accepted and the file's checksum. Stops,
    /// aborting the COPY, when `shouldStop` says so between chunks. A file that stops midway
    /// leaves no reject file: the next attempt writes a whole one.
    func send(
        _ encoder: FileEncoder, into table: TableSpec, in namespace: Schema.Namespace, report: inout FileReport,
        progress: ProgressMeter, hooks: RunHooks, shouldStop: () -> Bool = { false }
    ) throws -> (ids: IdSet, checksum: String) {
        let columns = table.columns.map { Schema.quoted($0.name) }.joined(separator: ", ")
        let copyOptions = namespace == .staging ? "FORMAT binary, FREEZE" : "FORMAT binary"
        let copy = try copyIn("COPY \(namespace.qualified(table.name)) (\(columns)) FROM STDIN (\(copyOptions))")
        let outcome: FileEncoder.Outcome
        do {
            var sent = 0
            while let chunk = encoder.nextChunk() {
                if shouldStop() { throw LoadError.refused("stopped: another file of the run failed") }
                try copy.send(chunk.buffer.bytes)
                encoder.recycle(chunk)
                progress.advance(bytes: chunk.bytesRead - sent)
                sent = chunk.bytesRead
                hooks.chunkSent(chunk.bytesRead)
            }
            outcome = try encoder.finish()
            try copy.finish()
        } catch {
            copy.abort("the loader stopped: \(error)")
            throw error
        }
        report.rowsRead = outcome.rowsRead
        report.rowsLoaded = outcome.rowsLoaded
        report.rowsRepaired = outcome.rowsRepaired
        report.rejected = outcome.rejected
        report.times.encodingCPU = outcome.cpuSeconds
        return (outcome.ids, outcome.checksum)
    }
}
