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
        let progress = ProgressMeter(totalBytes: LoadPlan.sizes(of: files).reduce(0, +), totalFiles: files.count)
        defer { progress.finish() }
        let hooks = RunHooks(warn: warn, chunkSent: onChunkSent, fileLoaded: nil)
        var appended: [TableName: IdSet] = [:]
        for (path, table) in zip(files, tables) {
            loaded(try append(path, table: table, appended: &appended, progress: progress, hooks: hooks))
            progress.fileDone()
        }
        try LoadError.during("the run") {
            if let runId { try connection.finishRun(runId, status: .complete) }
            try connection.execute("COMMIT")
        }
    }

    /// Adds `path`'s rows to the live `table` in the run's transaction: ids already in the table
    /// are `duplicate_id`, then the sequence moves past the largest id and the load is recorded.
    /// From then until the run commits, the table is locked against other inserts
    /// (`SHARE ROW EXCLUSIVE`), so that none draws an id between reading and setting the sequence.
    /// `appended`: the ids of the tables appended to so far, whose child files are checked against them.
    private func append(
        _ path: String, table: TableSpec, appended: inout [TableName: IdSet], progress: ProgressMeter, hooks: RunHooks
    ) throws(LoadError) -> FileReport {
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        var encoder: FileEncoder?
        do throws(LoadError) {
            return try LoadError.during(fileName) {
                let started = Date()
                var parentIds: [TableName: IdSet] = [:]
                for parent in table.parents { parentIds[parent] = try appended[parent] ?? connection.ids(of: parent) }
                let file = try FileEncoder(
                    path: path, table: table, options: options, existingIds: try connection.ids(of: table.tableName),
                    parentIds: parentIds)
                encoder = file
                file.start()
                for column in file.unknownColumns { warn("\(fileName): ignoring unknown column '\(column)'") }
                var report = FileReport(file: fileName, table: table.tableName)
                let (ids, checksum) = try connection.send(
                    file, into: table, in: .live, report: &report, progress: progress, hooks: hooks)
                try connection.execute("LOCK TABLE \(Schema.quoted(table.name)) IN SHARE ROW EXCLUSIVE MODE")
                try connection.execute(Schema.advanceSequence(table))
                try connection.execute(Schema.analyze(table))
                report.tableRows = try connection.rowCount(table)
                report.seconds = Date().timeIntervalSince(started)
                try connection.recordLoad(
                    LoadHistoryEntry(
                        table: table.name, file: fileName, fileSize: file.fileSize, checksum: checksum,
                        mode: LoadOptions.Mode.append.rawValue, rowsRead: report.rowsRead,
                        rowsLoaded: report.rowsLoaded, rowsRepaired: report.rowsRepaired,
                        rejectedJSON: report.rejectedJSON, tableRows: report.tableRows, seconds: report.seconds,
                        runId: runId))
                appended[table.tableName] = ids
                return report
            }
        } catch {
            encoder?.cancel()
            throw error
        }
    }
}
