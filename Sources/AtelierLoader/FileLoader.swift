import AtelierCatalog
import AtelierDatabase
import Foundation

/// Loads one export file into its table, atomically: the rows are cleaned while they stream
/// into a binary `COPY`, inside one transaction that also drops and rebuilds the table's keys
/// and indexes, resets the id sequence, analyses the table and records the load. A failure at
/// any point rolls everything back.
public struct FileLoader {
    public let connection: Connection
    public let options: LoadOptions
    /// Called after each chunk is sent to the server with the file bytes read so far.
    public var onChunkSent: ((Int) -> Void)?
    /// Where notes for a person go (unknown columns, emptied tables).
    public var warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// What this loader has done so far: whether it applied the schema, and the ids of the
    /// tables it loaded or emptied, so that a child file checks its references against them
    /// instead of reading them back (35 million ids at full scale).
    private let run = LoaderRun()

    public init(connection: Connection, options: LoadOptions) {
        self.connection = connection
        self.options = options
    }

    public func load(path: String) throws(LoadError) -> FileReport {
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        guard let table = Catalog.table(forFile: fileName) else {
            throw .refused("\(path): not an export file this loader knows (expected one of: \(Catalog.tables.map(\.fileName).joined(separator: ", ")))")
        }
        let started = Date()
        let reader: CSVRecordReader
        let mapping: HeaderMapping
        do {
            reader = try CSVRecordReader(path: path)
            guard try reader.next() else { throw HeaderError.noHeader(file: fileName) }
            mapping = try HeaderMapping(header: reader.fieldStrings(), table: table)
        } catch {
            throw LoadError(error, file: fileName)
        }
        reader.expectedFieldCount = mapping.fieldCount
        for column in mapping.unknownColumns { warn("\(fileName): ignoring unknown column '\(column)'") }

        let rejects = try RejectFileWriter(directory: options.rejectDirectory, table: table.name)
        var report = FileReport(file: fileName, table: table.name)
        do {
            // Once per run: every load leaves the schema whole when it commits or rolls back.
            if !run.schemaApplied {
                try connection.execute(Schema.script)
                run.schemaApplied = true
            }
            try connection.execute("BEGIN")
            try connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
            run.forget(table.name)
            let ids = try stream(reader, mapping: mapping, into: table, rejects: rejects, report: &report)
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
                table: table.name, file: fileName, fileSize: reader.fileSize, checksum: reader.checksum.hexDigest,
                mode: options.mode.rawValue, rowsRead: report.rowsRead, rowsLoaded: report.rowsLoaded,
                rowsRepaired: report.rowsRepaired, rejectedJSON: report.rejectedJSON, tableRows: report.tableRows,
                seconds: report.seconds))
            try connection.execute("COMMIT")
            run.remember(table.name, ids)
            for emptied in report.emptiedTables { run.remember(emptied, IdSet()) }
            rejects.close()
            return report
        } catch {
            try? connection.execute("ROLLBACK")
            throw LoadError(error, file: fileName)
        }
    }

    /// Reads, cleans and copies every record; rejected ones go to the reject file. Returns the
    /// ids the table holds afterwards.
    private func stream(_ reader: CSVRecordReader, mapping: HeaderMapping, into table: TableSpec,
                        rejects: RejectFileWriter, report: inout FileReport) throws -> IdSet {
        var parentIds: [String: IdSet] = [:]
        for parent in table.parents { parentIds[parent] = try run[parent] ?? connection.ids(of: parent) }
        let existingIds = options.mode == .append ? try connection.ids(of: table.name) : IdSet()
        var cleaner = RecordCleaner(table: table, mapping: mapping, existingIds: existingIds, parentIds: parentIds)

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
        do {
            BinaryCopyEncoder.appendHeader(to: copy.buffer)
            while try reader.next() {
                report.rowsRead += 1
                if let rejection = cleaner.clean(reader) {
                    report.rejected[rejection.reason, default: 0] += 1
                    rejects.write(line: reader.lineNumber, rejection: rejection, record: reader.rawRecord)
                    continue
                }
                BinaryCopyEncoder.appendRow(cleaner.values, to: copy.buffer)
                report.rowsLoaded += 1
                if try copy.flushIfFull() {
                    progress.update(rows: report.rowsRead, bytes: reader.bytesRead, totalBytes: reader.fileSize)
                    onChunkSent?(reader.bytesRead)
                }
            }
            BinaryCopyEncoder.appendTrailer(to: copy.buffer)
            try copy.finish()
        } catch {
            copy.abort("the loader stopped: \(error)")
            progress.finish()
            throw error
        }
        progress.finish()
        report.rowsRepaired = reader.repairs
        return cleaner.seenIds
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

    subscript(table: String) -> IdSet? { ids[table] }

    func remember(_ table: String, _ tableIds: IdSet) { ids[table] = tableIds }

    func forget(_ table: String) { ids[table] = nil }
}
