import AtelierCatalog
import AtelierDatabase
import Foundation

/// Loads one export file into its table, atomically: the rows are cleaned while they stream
/// into a binary `COPY`, inside one transaction that also drops and rebuilds the table's keys
/// and indexes, resets the id sequence, analyses the table and records the load. A failure at
/// any point rolls everything back.
///
/// Reading and cleaning run on a thread of their own (`FileEncoder`). Given the file that comes
/// next, a load starts encoding it once its own rows are sent, so the client works while the
/// server builds this table's keys and indexes.
public struct FileLoader {
    public let connection: Connection
    public let options: LoadOptions
    /// Called after each chunk is sent to the server with the file bytes read so far.
    public var onChunkSent: ((Int) -> Void)?
    /// Where notes for a person go (unknown columns, emptied tables).
    public var warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// What this loader has done so far: whether it applied the schema, the ids of the tables
    /// it loaded or emptied, so that a child file checks its references against them instead
    /// of reading them back (35 million ids at full scale), and the next file's encoder.
    private let run = LoaderRun()

    public init(connection: Connection, options: LoadOptions) {
        self.connection = connection
        self.options = options
    }

    /// Loads `files` in order, each reading the next one ahead. `handle` receives each file's
    /// outcome and returns whether to go on.
    public func load(files: [String], _ handle: (Result<FileReport, LoadError>) -> Bool) {
        for (index, file) in files.enumerated() {
            let next = index + 1 < files.count ? files[index + 1] : nil
            let outcome: Result<FileReport, LoadError>
            do throws(LoadError) {
                outcome = .success(try load(path: file, readingAhead: next))
            } catch {
                outcome = .failure(error)
            }
            guard handle(outcome) else { return }
        }
    }

    /// Loads `path`; with `next`, the file the caller will load right after, starts reading
    /// that one ahead.
    public func load(path: String, readingAhead next: String? = nil) throws(LoadError) -> FileReport {
        var encoder = run.takeEncoder(for: path)
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        guard let table = Catalog.table(forFile: fileName) else {
            throw .refused("\(path): not an export file this loader knows (expected one of: \(Catalog.tables.map(\.fileName).joined(separator: ", ")))")
        }
        let started = Date()
        var report = FileReport(file: fileName, table: table.name)
        do {
            // Once per run: every load leaves the schema whole when it commits or rolls back.
            if !run.schemaApplied {
                try connection.execute(Schema.script)
                run.schemaApplied = true
            }
            let file = try encoder ?? makeEncoder(path: path, table: table)
            encoder = file
            file.start()
            for column in file.unknownColumns { warn("\(fileName): ignoring unknown column '\(column)'") }
            try connection.execute("BEGIN")
            try connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
            run.forget(table.name)
            let (ids, checksum) = try stream(file, into: table, report: &report)
            if let next { readAhead(next, after: table.name, ids: ids) }
            if options.mode == .replace {
                try rebuild(table, report: &report)
            }
            try connection.execute(Schema.resetSequence(table))
            try connection.execute("ANALYZE \(Schema.quoted(table.name))")
            report.tableRows = options.mode == .replace
                ? report.rowsLoaded
                : Int(try connection.scalar("SELECT count(*) FROM \(Schema.quoted(table.name))") ?? "0") ?? 0
            report.seconds = Date().timeIntervalSince(started)
            try connection.recordLoad(LoadHistoryEntry(
                table: table.name, file: fileName, fileSize: file.fileSize, checksum: checksum,
                mode: options.mode.rawValue, rowsRead: report.rowsRead, rowsLoaded: report.rowsLoaded,
                rowsRepaired: report.rowsRepaired, rejectedJSON: report.rejectedJSON, tableRows: report.tableRows,
                seconds: report.seconds))
            try connection.execute("COMMIT")
            run.remember(table.name, ids)
            for emptied in report.emptiedTables { run.remember(emptied, IdSet()) }
            run.dropEncoder(ifItChecksAgainst: report.emptiedTables)
            return report
        } catch {
            try? connection.execute("ROLLBACK")
            encoder?.cancel()
            run.dropEncoder()
            throw LoadError(error, file: fileName)
        }
    }

    /// An encoder for `path` whose references are checked against the parents' ids: those
    /// this run loaded, else those in the database.
    private func makeEncoder(path: String, table: TableSpec) throws -> FileEncoder {
        var parentIds: [String: IdSet] = [:]
        for parent in table.parents { parentIds[parent] = try run[parent] ?? connection.ids(of: parent) }
        let existingIds = options.mode == .append ? try connection.ids(of: table.name) : IdSet()
        return try FileEncoder(path: path, table: table, rejectDirectory: options.rejectDirectory,
                               existingIds: existingIds, parentIds: parentIds)
    }

    /// Starts encoding `next` now when every id it is checked against is known without asking
    /// the database: the parents were loaded by this run, or one is the table just streamed.
    /// The encoder is dropped if this load fails or empties one of those parents.
    private func readAhead(_ next: String, after table: String, ids: IdSet) {
        let fileName = URL(fileURLWithPath: next).lastPathComponent
        guard options.mode == .replace, let nextTable = Catalog.table(forFile: fileName) else { return }
        var parentIds: [String: IdSet] = [:]
        for parent in nextTable.parents {
            guard let known = parent == table ? ids : run[parent] else { return }
            parentIds[parent] = known
        }
        guard let encoder = try? FileEncoder(path: next, table: nextTable, rejectDirectory: options.rejectDirectory,
                                             existingIds: IdSet(), parentIds: parentIds) else { return }
        encoder.start()
        run.keepEncoder(encoder)
    }

    /// Sends the encoder's rows through one COPY into the emptied (or, when appending, the
    /// existing) table. Returns the ids the table holds afterwards and the file's checksum.
    /// A load that stops midway leaves no reject file: the next attempt writes a whole one.
    private func stream(_ encoder: FileEncoder, into table: TableSpec,
                        report: inout FileReport) throws -> (ids: IdSet, checksum: String) {
        let name = Schema.quoted(table.name)
        let columns = table.columns.map { Schema.quoted($0.name) }.joined(separator: ", ")
        var copyOptions = "FORMAT binary"
        if options.mode == .replace {
            for child in Catalog.dependants(of: table.name) {
                for reference in child.references where reference.table == table.name {
                    try connection.execute(Schema.dropForeignKey(child, reference.column))
                }
            }
            for statement in Schema.dropKeysAndIndexes(table) { try connection.execute(statement) }
            try connection.execute("TRUNCATE \(name)")
            // Rows written into a table emptied in this transaction can be frozen at once.
            copyOptions += ", FREEZE"
        }
        let copy = try connection.copyIn("COPY \(name) (\(columns)) FROM STDIN (\(copyOptions))")
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

    /// Restores keys and indexes after a replacing load, and makes sure no other table is
    /// left pointing at rows that are gone: refused, or with `--cascade` those tables emptied.
    private func rebuild(_ table: TableSpec, report: inout FileReport) throws {
        for statement in Schema.createKeysAndIndexes(table) { try connection.execute(statement) }
        // Re-adding a dependant's foreign key validates it; orphans are only counted when it fails.
        var orphaned: [(table: TableSpec, column: ColumnSpec)] = []
        for child in Catalog.dependants(of: table.name) {
            for reference in child.references where reference.table == table.name {
                if try !addForeignKeyIfValid(child, reference.column) { orphaned.append((child, reference.column)) }
            }
        }
        guard !orphaned.isEmpty else { return }
        let emptied = Self.descendants(of: orphaned.map(\.table.name))
        guard options.cascade else {
            var listing: [String] = []
            for (child, column) in orphaned {
                let rows = try connection.scalar("""
                    SELECT count(*) FROM \(Schema.quoted(child.name)) c WHERE NOT EXISTS
                    (SELECT 1 FROM \(Schema.quoted(table.name)) p WHERE p."id" = c.\(Schema.quoted(column.name)))
                    """) ?? "?"
                listing.append("\(rows) rows of \(child.name)")
            }
            throw LoadError.refused("""
                \(report.file): refused: the new \(table.name) rows would leave \(listing.joined(separator: ", ")) \
                pointing at \(table.name) rows that are gone. Load those files too, or pass --cascade to empty \
                the dependent tables (\(emptied.joined(separator: ", "))). Nothing was changed.
                """)
        }
        try connection.execute("TRUNCATE " + emptied.map(Schema.quoted).joined(separator: ", "))
        for (child, column) in orphaned { try connection.execute(Schema.addForeignKey(child, column)) }
        for name in emptied {
            try connection.recordLoad(LoadHistoryEntry(
                table: name, file: report.file, fileSize: 0, checksum: "", mode: "emptied", rowsRead: 0,
                rowsLoaded: 0, rowsRepaired: 0, rejectedJSON: "{}", tableRows: 0, seconds: 0))
        }
        report.emptiedTables = emptied
        warn("\(report.file): --cascade emptied \(emptied.joined(separator: ", "))")
    }

    /// Adds `child`'s foreign key on `column`; false, with nothing changed, when rows of
    /// `child` point at missing rows.
    private func addForeignKeyIfValid(_ child: TableSpec, _ column: ColumnSpec) throws(DatabaseError) -> Bool {
        try connection.execute("SAVEPOINT dependant_key")
        do {
            try connection.execute(Schema.addForeignKey(child, column))
        } catch {
            guard error.sqlState == "23503" else { throw error }
            try connection.execute("ROLLBACK TO SAVEPOINT dependant_key")
            return false
        }
        try connection.execute("RELEASE SAVEPOINT dependant_key")
        return true
    }

    /// `tables` and every table below them, in load order.
    static func descendants(of tables: [String]) -> [String] {
        var found = Set(tables)
        var changed = true
        while changed {
            changed = false
            for table in Catalog.tables where !found.contains(table.name) && table.parents.contains(where: found.contains) {
                found.insert(table.name)
                changed = true
            }
        }
        return Catalog.tables.map(\.name).filter(found.contains)
    }
}

/// The state one `FileLoader` keeps across its files. The ids each table holds after this
/// loader committed it stay valid while nobody else deletes rows meanwhile (the API never
/// deletes; a row deleted by hand is still caught by the foreign key); a parent row added by
/// someone else since is not seen, and a child naming it is rejected as an orphan.
private final class LoaderRun {
    var schemaApplied = false
    private var ids: [String: IdSet] = [:]
    /// The next file, being read ahead.
    private var encoder: FileEncoder?

    deinit { encoder?.cancel() }

    subscript(table: String) -> IdSet? { ids[table] }

    func remember(_ table: String, _ tableIds: IdSet) { ids[table] = tableIds }

    func forget(_ table: String) { ids[table] = nil }

    func keepEncoder(_ next: FileEncoder) {
        dropEncoder()
        encoder = next
    }

    /// The encoder read ahead for `path`, if any; one for another file is dropped.
    func takeEncoder(for path: String) -> FileEncoder? {
        let taken = encoder
        encoder = nil
        guard taken?.path == path else {
            taken?.cancel()
            return nil
        }
        return taken
    }

    /// Drops the encoder read ahead (when `tables` holds a parent of its table, only then).
    func dropEncoder(ifItChecksAgainst tables: [String]? = nil) {
        guard let current = encoder else { return }
        if let tables, !current.table.parents.contains(where: tables.contains) { return }
        current.cancel()
        encoder = nil
    }
}
