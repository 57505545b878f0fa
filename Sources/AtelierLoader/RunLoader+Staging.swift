import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// One file of a replacing run, staged in a table of its own beside the live one.
extension RunLoader {
    /// Stages `path` into `table`'s staging table, in one transaction: the table created, the
    /// rows streamed in with `COPY … (FORMAT binary, FREEZE)`, the shrink guard's per-file rules
    /// checked against the live table's rows, then the primary key, indexes, foreign keys to
    /// staged parents, change triggers (after the COPY, so it fires none) and the API's grants,
    /// and ANALYZE. With `next`, the file the run loads after it, starts reading that one ahead
    /// once this one's rows are sent. `stagedInRun`: every table of the run.
    func stage(_ path: String, table: TableSpec, readingAhead next: String?, stagedInRun: Set<TableName>)
        throws(LoadError) -> FileReport
    {
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        var encoder = state.takeEncoder(for: path)
        do throws(LoadError) {
            return try LoadError.during(fileName) {
                let started = Date()
                let file = try encoder ?? makeEncoder(path: path, table: table)
                encoder = file
                file.start()
                for column in file.unknownColumns { warn("\(fileName): ignoring unknown column '\(column)'") }
                try connection.execute("BEGIN")
                try connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
                try connection.execute(Schema.createTable(table, in: .staging, withPrimaryKey: false))
                let liveRows = try rowCount(table)
                var report = FileReport(file: fileName, table: table.name)
                let (ids, checksum) = try stream(file, into: table, report: &report)
                let shrink = ShrinkGuard(allowed: options.allowShrink, file: fileName)
                try shrink.checkRejections(
                    table: table.name, before: liveRows, rowsRead: report.rowsRead, rowsRejected: report.rowsRejected)
                try shrink.check(table.name, before: liveRows, after: report.rowsLoaded)
                if let next { readAhead(next, after: table.name, ids: ids) }
                for statement in Self.buildStatements(table, stagedInRun: stagedInRun) {
                    try connection.execute(statement)
                }
                try connection.execute("ANALYZE \(Schema.Namespace.staging.qualified(table.name))")
                try connection.execute("COMMIT")
                report.tableRows = report.rowsLoaded
                report.seconds = Date().timeIntervalSince(started)
                state.remember(table.name, ids)
                staged.append(
                    StagedTable(
                        spec: table, report: report, liveRows: liveRows, fileSize: file.fileSize, checksum: checksum))
                return report
            }
        } catch {
            connection.rollBackIfOpen()
            encoder?.cancel()
            state.dropEncoder()
            throw error
        }
    }

    /// What a staged table gets once its rows are in: the primary key, the secondary indexes,
    /// its foreign keys to parents staged in the same run (keys to live parents are added at
    /// the switch), the change triggers and the API's grants.
    static func buildStatements(_ table: TableSpec, stagedInRun: Set<TableName>) -> [String] {
        let keys = table.columns.compactMap { column -> String? in
            guard case .reference(let parent) = column.kind, stagedInRun.contains(parent) else { return nil }
            return Schema.addForeignKey(table, column, in: .staging, parentIn: .staging)
        }
        return Schema.createKeyAndIndexes(table, in: .staging) + keys + Schema.changeTriggers(table, in: .staging)
            + [Schema.apiGrants(table, in: .staging)]
    }

    /// An encoder for `path` whose references are checked against the parents' ids: those
    /// this run staged, else those of the live tables (and, when appending, whose ids must be
    /// new to the table).
    func makeEncoder(path: String, table: TableSpec) throws -> FileEncoder {
        var parentIds: [String: IdSet] = [:]
        for parent in table.parents {
            parentIds[parent] = try state[parent] ?? connection.ids(of: parent)
        }
        let existingIds = options.mode == .append ? try connection.ids(of: table.name) : IdSet()
        return try FileEncoder(
            path: path, table: table, options: options, existingIds: existingIds, parentIds: parentIds)
    }

    /// Starts encoding `next` now when every id it is checked against is known without asking
    /// the database: the parents were staged by this run, or one is the table just streamed.
    /// The encoder is dropped if this file's staging fails.
    private func readAhead(_ next: String, after table: String, ids: IdSet) {
        let fileName = URL(fileURLWithPath: next).lastPathComponent
        guard options.mode == .replace, let nextTable = Catalog.table(forFile: fileName) else { return }
        var parentIds: [String: IdSet] = [:]
        for parent in nextTable.parents {
            guard let known = parent == table ? ids : state[parent] else { return }
            parentIds[parent] = known
        }
        guard
            let encoder = try? FileEncoder(
                path: next, table: nextTable, options: options, existingIds: IdSet(), parentIds: parentIds)
        else { return }
        encoder.start()
        state.keepEncoder(encoder)
    }

    /// Sends the encoder's rows through one COPY into `table` in `namespace` (staged, or live
    /// when appending). Returns the ids the table holds afterwards and the file's checksum. A
    /// file that stops midway leaves no reject file: the next attempt writes a whole one.
    func stream(
        _ encoder: FileEncoder, into table: TableSpec, in namespace: Schema.Namespace = .staging,
        report: inout FileReport
    ) throws -> (ids: IdSet, checksum: String) {
        let columns = table.columns.map { Schema.quoted($0.name) }.joined(separator: ", ")
        // Rows written into a table created in this transaction can be frozen at once.
        let copyOptions = namespace == .staging ? "FORMAT binary, FREEZE" : "FORMAT binary"
        let copy = try connection.copyIn(
            "COPY \(namespace.qualified(table.name)) (\(columns)) FROM STDIN (\(copyOptions))")
        let progress = ProgressMeter(file: report.file)
        defer { progress.finish() }
        let outcome: FileEncoder.Outcome
        do {
            while let chunk = encoder.nextChunk() {
                try copy.send(chunk.buffer.bytes)
                encoder.recycle(chunk)
                progress.update(rows: chunk.rowsRead, bytes: chunk.bytesRead, totalBytes: encoder.fileSize)
                onChunkSent?(chunk.bytesRead)
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
        return (outcome.ids, outcome.checksum)
    }
}
