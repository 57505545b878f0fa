import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// `--append`: the files' rows are added to the live tables, all of them in one transaction,
/// visible at its commit.
extension RunLoader {
    /// Appends every file, parents first, and commits once; `loaded` receives each file's report.
    func appendAll(_ files: [String], tables: [TableSpec], loaded: (FileReport) -> Void) throws(LoadError) {
        try LoadError.during("the run") { try connection.execute("BEGIN") }
        for (path, table) in zip(files, tables) { loaded(try append(path, table: table)) }
        try LoadError.during("the run") {
            if let runId { try connection.finishRun(runId, status: .complete) }
            try connection.execute("COMMIT")
        }
    }

    /// Adds `path`'s rows to the live `table` in the run's transaction: ids already in the table
    /// are `duplicate_id`, then the sequence moves past the largest id and the load is recorded.
    /// From then until the run commits, the table is locked against other inserts
    /// (`SHARE ROW EXCLUSIVE`), so that none draws an id between reading and setting the sequence.
    private func append(_ path: String, table: TableSpec) throws(LoadError) -> FileReport {
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        var encoder: FileEncoder?
        do throws(LoadError) {
            return try LoadError.during(fileName) {
                let started = Date()
                let file = try makeEncoder(path: path, table: table)
                encoder = file
                file.start()
                for column in file.unknownColumns { warn("\(fileName): ignoring unknown column '\(column)'") }
                var report = FileReport(file: fileName, table: table.name)
                let (ids, checksum) = try stream(file, into: table, in: .live, report: &report)
                try connection.execute("LOCK TABLE \(Schema.quoted(table.name)) IN SHARE ROW EXCLUSIVE MODE")
                try connection.execute(Schema.advanceSequence(table))
                try connection.execute("ANALYZE \(Schema.quoted(table.name))")
                report.tableRows = try rowCount(table)
                report.seconds = Date().timeIntervalSince(started)
                try connection.recordLoad(
                    LoadHistoryEntry(
                        table: table.name, file: fileName, fileSize: file.fileSize, checksum: checksum,
                        mode: LoadOptions.Mode.append.rawValue, rowsRead: report.rowsRead,
                        rowsLoaded: report.rowsLoaded, rowsRepaired: report.rowsRepaired,
                        rejectedJSON: report.rejectedJSON, tableRows: report.tableRows, seconds: report.seconds,
                        runId: runId))
                state.remember(table.name, ids)
                return report
            }
        } catch {
            encoder?.cancel()
            throw error
        }
    }
}
