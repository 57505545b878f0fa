import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// One connection's share of a replacing run: stages the files the schedule hands it, one at a
/// time, each in a transaction of its own, until none is left or the run has failed. While the
/// server builds one file's keys, the next ready file whose parents' ids are known is already
/// being read.
///
/// Used by one thread at a time (its own while the run stages), hence `@unchecked Sendable`.
final class StagingWorker: @unchecked Sendable {
    let connection: Connection
    let options: LoadOptions
    let schedule: StagingSchedule
    let hooks: RunHooks
    let progress: ProgressMeter
    /// Whether the next file starts being read while this one's keys are built.
    let readsAhead: Bool
    /// Every statement of a file's transaction on its own backend, compiled by no JIT: each is
    /// one pass over a table (the live table's count, the index builds), and parallel workers
    /// or a JIT compile would compete for the cores the other connections and the loader's
    /// threads already use, costing more CPU in all than the backend doing the pass alone.
    static let serialPasses = [
        "SET LOCAL max_parallel_maintenance_workers = 0", "SET LOCAL max_parallel_workers_per_gather = 0",
        "SET LOCAL jit = off",
    ]

    /// Memory for the index builds of a table of `rows` rows: enough to sort its keys in memory
    /// (an index tuple, its sort slot and allocation overhead come to under 64 bytes a row),
    /// within 64 MB to 2 GB.
    static func sortMemory(rows: Int) -> String {
        let megabytes = min(max(rows * 64 / 1_000_000, 64), 2048)
        return "SET LOCAL maintenance_work_mem = '\(megabytes)MB'"
    }

    init(
        connection: Connection, options: LoadOptions, schedule: StagingSchedule, hooks: RunHooks,
        progress: ProgressMeter, readsAhead: Bool
    ) {
        self.connection = connection
        self.options = options
        self.schedule = schedule
        self.hooks = hooks
        self.progress = progress
        self.readsAhead = readsAhead
    }

    /// Stages files until none is left; a failure stops the run (`StagingSchedule.fail`).
    func run(since start: Date) {
        var next: (StagingSchedule.Task, FileEncoder)?
        while true {
            let task: StagingSchedule.Task
            let encoder: FileEncoder
            if let (readAhead, started) = next {
                (task, encoder) = (readAhead, started)
                next = nil
            } else {
                guard let (claimed, parentIds) = schedule.claim() else { return }
                task = claimed
                do throws(LoadError) {
                    encoder = try makeEncoder(task, parentIds: parentIds)
                } catch {
                    schedule.fail(error)
                    return
                }
            }
            do throws(LoadError) {
                let staged = try stage(task, encoder: encoder, since: start) {
                    guard readsAhead, !schedule.hasFailed, let (ahead, parentIds) = schedule.claim(waiting: false)
                    else { return }
                    do throws(LoadError) {
                        let file = try makeEncoder(ahead, parentIds: parentIds)
                        file.start()
                        next = (ahead, file)
                    } catch {
                        schedule.fail(error)
                    }
                }
                schedule.finished(task, staged)
                hooks.fileStaged(staged.report)
            } catch {
                next?.1.cancel()
                schedule.fail(error)
                return
            }
        }
    }

    /// Stages `task`'s file into its staging table, in one transaction: the table created, the
    /// rows streamed in with `COPY … (FORMAT binary, FREEZE)`, the shrink guard's per-file rules
    /// checked against the live table's rows, then the primary key and indexes, the change
    /// triggers (after the COPY, so it fires none), the API's grants and ANALYZE. `readAhead`
    /// runs once the rows are sent.
    private func stage(
        _ task: StagingSchedule.Task, encoder: FileEncoder, since start: Date, readAhead: () -> Void
    ) throws(LoadError) -> StagedTable {
        let table = task.table
        let fileName = URL(fileURLWithPath: task.path).lastPathComponent
        var report = FileReport(file: fileName, table: table.tableName)
        let began = Date()
        report.times.waited = began.timeIntervalSince(start)
        do throws(LoadError) {
            return try LoadError.during(fileName) {
                encoder.start()
                for column in encoder.unknownColumns { hooks.warn("\(fileName): ignoring unknown column '\(column)'") }
                try connection.execute("BEGIN")
                for setting in Self.serialPasses { try connection.execute(setting) }
                try connection.execute(Schema.createTable(table, in: .staging, withPrimaryKey: false))
                let estimatedRows = try connection.estimatedRowCount(table)
                var clock = Date()
                let (ids, checksum) = try stream(encoder, into: table, report: &report)
                schedule.read(table.tableName, ids: ids)
                report.times.copy = Date().timeIntervalSince(clock)
                readAhead()
                let liveRows = try judgeShrink(table, estimatedRows: estimatedRows, report: report)
                clock = Date()
                try connection.execute(Self.sortMemory(rows: report.rowsLoaded))
                for statement in Schema.createKeyAndIndexes(table, in: .staging) { try connection.execute(statement) }
                report.times.keys = Date().timeIntervalSince(clock)
                clock = Date()
                try connection.execute(Schema.analyze(table, in: .staging))
                report.times.analyze = Date().timeIntervalSince(clock)
                clock = Date()
                for statement in Schema.changeTriggers(table, in: .staging) { try connection.execute(statement) }
                try connection.execute(Schema.apiGrants(table, in: .staging))
                try connection.execute("COMMIT")
                report.times.commit = Date().timeIntervalSince(clock)
                report.tableRows = report.rowsLoaded
                report.seconds = Date().timeIntervalSince(began)
                return StagedTable(
                    spec: table, report: report, liveRows: liveRows, fileSize: encoder.fileSize, checksum: checksum)
            }
        } catch {
            connection.rollBackIfOpen()
            encoder.cancel()
            throw error
        }
    }

    /// Applies the shrink guard's per-file rules to the staged file, counting the live table
    /// unless its statistics already show that no rule can refuse the file. Returns the count.
    private func judgeShrink(_ table: TableSpec, estimatedRows: Int?, report: FileReport) throws -> Int? {
        let (read, rejected, loaded) = (report.rowsRead, report.rowsRejected, report.rowsLoaded)
        guard
            !ShrinkGuard.cannotRefuse(
                estimatedRows: estimatedRows, rowsLoaded: loaded, rowsRead: read, rowsRejected: rejected)
        else { return nil }
        let liveRows = try connection.rowCount(table)
        let shrink = ShrinkGuard(allowed: options.allowShrink, file: report.file)
        try shrink.checkRejections(table: table.name, before: liveRows, rowsRead: read, rowsRejected: rejected)
        try shrink.check(table.name, before: liveRows, after: loaded)
        return liveRows
    }

    /// An encoder for `task`'s file whose references are checked against `parentIds` (the ids
    /// of its parents in the run) and, for parents the run does not load, the live tables' ids.
    /// Its errors name the file.
    private func makeEncoder(
        _ task: StagingSchedule.Task, parentIds: [TableName: IdSet]
    ) throws(LoadError) -> FileEncoder {
        try LoadError.during(task.table.fileName) {
            var parents = parentIds
            for parent in task.table.parents where parents[parent] == nil {
                parents[parent] = try connection.ids(of: parent)
            }
            return try FileEncoder(
                path: task.path, table: task.table, options: options, existingIds: IdSet(), parentIds: parents)
        }
    }

    /// Sends the encoder's rows through one COPY into the staging table; see `Connection.send`.
    private func stream(_ encoder: FileEncoder, into table: TableSpec, report: inout FileReport) throws -> (
        ids: IdSet, checksum: String
    ) {
        try connection.send(encoder, into: table, in: .staging, report: &report, progress: progress, hooks: hooks) {
            schedule.hasFailed
        }
    }
}
