import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// Loads export files into their tables. Each file's load is one transaction, in named steps:
/// replace the rows (`FileLoader+Keys`: drop keys, COPY, rebuild keys, cascade), refuse a
/// drastic shrink (`ShrinkGuard`), move the id sequence forward only (`Schema.advanceSequence`),
/// analyse, and record the load (`LoadHistory`); a failure anywhere rolls all of it back. A
/// call of `load(files:)` is a run (`LoadRuns`), recorded so that `verify` can tell a run that
/// stopped between files.
///
/// Reading and cleaning run on a thread of their own (`FileEncoder`). Given the file that comes
/// next, a load starts encoding it once its own rows are sent, so the client works while the
/// server builds this table's keys and indexes (`LoaderState` keeps that encoder).
///
/// A class: one loader is one session on its connection, with the state of its run.
public final class FileLoader {
    public let connection: Connection
    public let options: LoadOptions
    /// Called after each chunk is sent to the server with the file bytes read so far.
    public var onChunkSent: ((Int) -> Void)?
    /// Where notes for a person go (unknown columns, emptied tables).
    public var warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// What this loader has done so far: whether it applied the schema, the ids of the tables
    /// it loaded or emptied, so that a child file checks its references against them instead
    /// of reading them back (35 million ids at full scale), and the next file's encoder.
    private let state = LoaderState()
    /// The run the loads belong to, while `load(files:)` runs.
    private(set) var runId: Int64?

    public init(connection: Connection, options: LoadOptions) {
        self.connection = connection
        self.options = options
    }

    /// Loads `files` in order as one recorded run, each file reading the next one ahead.
    /// `handle` receives each file's outcome and returns whether to go on. The run is marked
    /// complete only when every file loaded.
    public func load(files: [String], _ handle: (Result<FileReport, LoadError>) -> Bool) {
        guard let first = files.first else { return }
        do throws(DatabaseError) {
            try applySchemaOnce()
            runId = try connection.startRun(files: files.map { URL(fileURLWithPath: $0).lastPathComponent })
        } catch {
            _ = handle(.failure(LoadError(error, file: URL(fileURLWithPath: first).lastPathComponent)))
            return
        }
        defer { runId = nil }
        var loaded = 0
        for (index, file) in files.enumerated() {
            let next = index + 1 < files.count ? files[index + 1] : nil
            let outcome: Result<FileReport, LoadError>
            do throws(LoadError) {
                outcome = .success(try load(path: file, readingAhead: next))
                loaded += 1
            } catch {
                outcome = .failure(error)
            }
            guard handle(outcome) else { break }
        }
        if let runId {
            // When the connection is gone the run stays `running`, which verify reports the same way.
            try? connection.finishRun(runId, status: loaded == files.count ? .complete : .stopped)
        }
    }

    /// Loads `path`; with `next`, the file the caller will load right after, starts reading
    /// that one ahead.
    public func load(path: String, readingAhead next: String? = nil) throws(LoadError) -> FileReport {
        var encoder = state.takeEncoder(for: path)
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        guard let table = Catalog.table(forFile: fileName) else {
            throw .refused(
                "\(path): not an export file this loader knows (expected one of: \(Catalog.tables.map(\.fileName).joined(separator: ", ")))"
            )
        }
        let started = Date()
        var report = FileReport(file: fileName, table: table.name)
        do throws(LoadError) {
            try LoadError.onDatabase(file: fileName) { () throws(DatabaseError) in try applySchemaOnce() }
            let file: FileEncoder
            if let readAhead = encoder { file = readAhead } else { file = try makeEncoder(path: path, table: table) }
            encoder = file
            file.start()
            for column in file.unknownColumns { warn("\(fileName): ignoring unknown column '\(column)'") }
            state.forget(table.name)
            let shrink = ShrinkGuard(allowed: options.allowShrink, file: fileName)
            let rowsBefore = try LoadError.onDatabase(file: fileName) { () throws(DatabaseError) -> Int in
                try begin(table)
                try connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
                guard options.mode == .replace else { return 0 }
                let rows = try rowCount(table.name)
                try dropKeysAndEmpty(table)
                return rows
            }
            let (ids, checksum) = try stream(file, into: table, report: &report)
            try shrink.checkRejections(
                table: table.name, before: rowsBefore, rowsRead: report.rowsRead,
                rowsRejected: report.rowsRejected)
            try shrink.check(table.name, before: rowsBefore, after: report.rowsLoaded)
            if let next { readAhead(next, after: table.name, ids: ids) }
            if options.mode == .replace { try rebuildKeys(table, shrink: shrink, report: &report) }
            try LoadError.onDatabase(file: fileName) { () throws(DatabaseError) in
                try advanceSequence(table)
                try connection.execute("ANALYZE \(Schema.quoted(table.name))")
                report.tableRows = options.mode == .replace ? report.rowsLoaded : try rowCount(table.name)
                report.seconds = Date().timeIntervalSince(started)
                try connection.recordLoad(
                    LoadHistoryEntry(
                        table: table.name, file: fileName, fileSize: file.fileSize, checksum: checksum,
                        mode: options.mode.rawValue, rowsRead: report.rowsRead, rowsLoaded: report.rowsLoaded,
                        rowsRepaired: report.rowsRepaired, rejectedJSON: report.rejectedJSON,
                        tableRows: report.tableRows,
                        seconds: report.seconds, runId: runId))
                try connection.execute("COMMIT")
            }
            state.remember(table.name, ids)
            for emptied in report.emptiedTables { state.remember(emptied, IdSet()) }
            state.dropEncoder(ifItChecksAgainst: report.emptiedTables)
            return report
        } catch {
            try? connection.execute("ROLLBACK")
            encoder?.cancel()
            state.dropEncoder()
            throw error
        }
    }

    /// Once per loader: every load leaves the schema whole when it commits or rolls back.
    private func applySchemaOnce() throws(DatabaseError) {
        guard !state.schemaApplied else { return }
        try retryingDeadlocks { () throws(DatabaseError) in try connection.execute(Schema.script) }
        state.schemaApplied = true
    }

    func rowCount(_ table: String) throws(DatabaseError) -> Int {
        Int(try connection.scalar("SELECT count(*) FROM \(Schema.quoted(table))") ?? "0") ?? 0
    }

    /// Moves the id sequence past the table's largest id, never back. When appending, API
    /// inserts may run meanwhile: the table lock keeps them from drawing an id in between.
    private func advanceSequence(_ table: TableSpec) throws(DatabaseError) {
        if options.mode == .append {
            try connection.execute("LOCK TABLE \(Schema.quoted(table.name)) IN SHARE ROW EXCLUSIVE MODE")
        }
        try connection.execute(Schema.advanceSequence(table))
    }

    /// An encoder for `path` whose references are checked against the parents' ids: those
    /// this run loaded, else those in the database.
    private func makeEncoder(path: String, table: TableSpec) throws(LoadError) -> FileEncoder {
        let (parentIds, existingIds) = try LoadError.onDatabase(file: table.fileName) {
            () throws(DatabaseError) -> ([String: IdSet], IdSet) in
            var parentIds: [String: IdSet] = [:]
            for parent in table.parents {
                if let known = state[parent] {
                    parentIds[parent] = known
                } else {
                    parentIds[parent] = try connection.ids(of: parent)
                }
            }
            return (parentIds, options.mode == .append ? try connection.ids(of: table.name) : IdSet())
        }
        return try FileEncoder(
            path: path, table: table, options: options, existingIds: existingIds, parentIds: parentIds)
    }

    /// Starts encoding `next` now when every id it is checked against is known without asking
    /// the database: the parents were loaded by this run, or one is the table just streamed.
    /// The encoder is dropped if this load fails or empties one of those parents.
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
                path: next, table: nextTable, options: options,
                existingIds: IdSet(), parentIds: parentIds)
        else { return }
        encoder.start()
        state.keepEncoder(encoder)
    }

    /// Sends the encoder's rows through one COPY into the emptied (or, when appending, the
    /// existing) table. Returns the ids the table holds afterwards and the file's checksum.
    /// A load that stops midway leaves no reject file: the next attempt writes a whole one.
    private func stream(
        _ encoder: FileEncoder, into table: TableSpec,
        report: inout FileReport
    ) throws(LoadError) -> (ids: IdSet, checksum: String) {
        let columns = table.columns.map { Schema.quoted($0.name) }.joined(separator: ", ")
        // Rows written into a table emptied in this transaction can be frozen at once.
        let copyOptions = options.mode == .replace ? "FORMAT binary, FREEZE" : "FORMAT binary"
        let copy = try LoadError.onDatabase(file: report.file) { () throws(DatabaseError) in
            try connection.copyIn("COPY \(Schema.quoted(table.name)) (\(columns)) FROM STDIN (\(copyOptions))")
        }
        let progress = ProgressMeter(file: report.file)
        defer { progress.finish() }
        let outcome: FileEncoder.Outcome
        do throws(LoadError) {
            while let chunk = encoder.nextChunk() {
                try LoadError.onDatabase(file: report.file) { () throws(DatabaseError) in
                    try copy.send(chunk.buffer.bytes)
                }
                encoder.recycle(chunk)
                progress.update(rows: chunk.rowsRead, bytes: chunk.bytesRead, totalBytes: encoder.fileSize)
                onChunkSent?(chunk.bytesRead)
            }
            outcome = try encoder.finish()
            try LoadError.onDatabase(file: report.file) { () throws(DatabaseError) in try copy.finish() }
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
