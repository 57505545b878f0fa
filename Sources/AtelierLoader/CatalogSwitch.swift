import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// The one short transaction that makes a run visible: it locks every live table it touches,
/// looks again at the few live rows written since the run's check, moves each replaced table to
/// the retired schema and its staged table in, empties the tables `--cascade` asked for, adds the
/// foreign keys that cross to tables the run did not load `NOT VALID`, moves each id sequence
/// past both the new rows and every id the old sequence handed out, notifies the API's servers
/// once per table, and records the load history and the run. No row is copied, scanned or
/// validated under its locks; readers and writers of those tables wait for its commit, then
/// see the new catalogue whole (a hot standby replays it as one transaction).
///
/// Each try asks for its locks with a short `lock_timeout`, so that a long query ahead of it
/// holds up the API's requests queued behind the switch for at most that long; a try that times
/// out, or that PostgreSQL ends to break a deadlock with an API write, is rolled back and
/// made again.
struct CatalogSwitch {
    /// How long one try waits for its locks.
    static let lockTimeout = "1s"
    static let maximumAttempts = 30

    let connection: Connection
    let plan: SwitchPlan
    /// The name of the live catalogue's schema, where the staged tables move.
    let liveSchema: String
    let runId: Int64?

    func run() throws(LoadError) -> SwitchReport {
        let started = Date()
        return try LoadError.during("the switch") {
            var attempts = 0
            while true {
                attempts += 1
                do throws(DatabaseError) {
                    try lock()
                } catch {
                    connection.rollBackIfOpen()
                    let retriable = error.sqlState == "55P03" || error.sqlState == "40P01"
                    guard retriable, attempts < Self.maximumAttempts else { throw error }
                    continue
                }
                break
            }
            let locked = Date()
            let emptied: [TableSpec]
            do {
                emptied = try recheck()
                try swap(emptying: emptied)
                try connection.execute("COMMIT")
            } catch {
                connection.rollBackIfOpen()
                throw error
            }
            return SwitchReport(
                tables: plan.staged.map(\.spec.name), emptied: emptied.map(\.name),
                lockSeconds: Date().timeIntervalSince(locked), seconds: Date().timeIntervalSince(started),
                attempts: attempts)
        }
    }

    /// Opens the transaction and takes every lock at once, live tables in load order.
    private func lock() throws(DatabaseError) {
        try connection.execute("BEGIN")
        try connection.execute("SET LOCAL lock_timeout = '\(Self.lockTimeout)'")
        let live = plan.lockedTables.map { Schema.quoted($0.name) }.joined(separator: ", ")
        try connection.execute("LOCK TABLE \(live) IN ACCESS EXCLUSIVE MODE")
    }

    /// Rows of live tables written since the run's check that point at rows the run removes
    /// (found through the primary key, among the ids handed out since) refuse the run, or with
    /// `--cascade` empty their table and all below it, as the shrink guard allows. Returns every
    /// table to empty.
    private func recheck() throws -> [TableSpec] {
        var orphaned: [(recheck: SwitchPlan.Recheck, rows: Int)] = []
        for recheck in plan.rechecks {
            let sql = Schema.orphanCount(recheck.child, recheck.column, parentIn: .staging, idsAbove: recheck.idsAbove)
            let rows = Int(try connection.scalar(sql) ?? "0") ?? 0
            if rows > 0 { orphaned.append((recheck, rows)) }
        }
        guard !orphaned.isEmpty else { return plan.emptied }
        let children = orphaned.map(\.recheck.child.name)
        guard !plan.emptiable.isEmpty else {
            let listing = orphaned.map { "\($0.rows) rows of \($0.recheck.child.name)" }
            throw LoadError.refused(
                """
                refused at the switch: \(listing.joined(separator: ", ")) written during the run point at rows the \
                run removes. Run the command again (with --cascade to empty \(children.joined(separator: ", "))). \
                Nothing was changed.
                """)
        }
        let newlyEmptied = RunLoader.descendants(of: children).filter { name in
            !plan.emptied.contains { $0.name == name }
        }
        try plan.shrinkGuard.check(
            newlyEmptied.map { ShrinkGuard.Change(emptied: $0, before: plan.emptiable[$0] ?? 0) })
        let names = Set(plan.emptied.map(\.name) + newlyEmptied)
        return Catalog.tables.filter { names.contains($0.name) }
    }

    private func swap(emptying emptied: [TableSpec]) throws {
        for key in plan.crossingKeys { try connection.execute(Schema.dropForeignKey(key.child, key.column)) }
        for table in plan.staged.map(\.spec) {
            try connection.execute(Schema.move(table, from: .live, to: .retired, liveSchemaName: liveSchema))
            try connection.execute(Schema.move(table, from: .staging, to: .live, liveSchemaName: liveSchema))
        }
        if !emptied.isEmpty {
            try connection.execute("TRUNCATE " + emptied.map { Schema.quoted($0.name) }.joined(separator: ", "))
        }
        for key in plan.crossingKeys {
            try connection.execute(Schema.addForeignKey(key.child, key.column, validated: false))
        }
        for table in plan.staged.map(\.spec) {
            try connection.execute(Schema.advanceSequence(table, pastTheOneIn: .retired))
            try connection.execute(Schema.notifyWhole(table))
        }
        try record(emptied: emptied)
    }

    /// One history row per table moved in and per table emptied, and the run marked complete.
    private func record(emptied: [TableSpec]) throws {
        for table in plan.staged {
            let report = table.report
            try connection.recordLoad(
                LoadHistoryEntry(
                    table: table.spec.name, file: report.file, fileSize: table.fileSize, checksum: table.checksum,
                    mode: LoadOptions.Mode.replace.rawValue, rowsRead: report.rowsRead, rowsLoaded: report.rowsLoaded,
                    rowsRepaired: report.rowsRepaired, rejectedJSON: report.rejectedJSON, tableRows: report.rowsLoaded,
                    seconds: report.seconds, runId: runId))
        }
        for table in emptied {
            try connection.recordLoad(
                LoadHistoryEntry(
                    table: table.name, file: "--cascade", fileSize: 0, checksum: "", mode: "emptied", rowsRead: 0,
                    rowsLoaded: 0, rowsRepaired: 0, rejectedJSON: "{}", tableRows: 0, seconds: 0, runId: runId))
        }
        if let runId { try connection.finishRun(runId, status: .complete) }
    }
}
