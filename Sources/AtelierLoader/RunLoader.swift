import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// Loads a run: the files of one `load` command, which become visible whole, at one switch,
/// or not at all. Its steps, in order:
///
/// 1. Check every file's name and header before anything else (`RunLoader+Preparation`).
/// 2. Prepare the database: one run at a time, the leftovers of a run that did not finish
///    removed, the live schema current, the run recorded.
/// 3. Stage each file in a table of its own beside the live one, on `LoadOptions.jobs`
///    connections at once, a file once its parents are read (`RunLoader+Staging`,
///    `StagingSchedule`, `StagingWorker`): cleaned, de-duplicated and checked rows through binary
///    COPY, then its keys, indexes, change triggers and grants; then the foreign keys among the
///    staged tables. No live table is locked or written; the API and psql go on with the old
///    catalogue.
/// 4. Judge the run as a whole (`RunLoader+Judgement`): live rows of tables the run does not
///    load that would point at rows that are gone refuse it (or, with `--cascade`, are emptied at
///    the switch), and the shrink guard weighs what the run would leave.
/// 5. Switch (`CatalogSwitch`): one short transaction moves every staged table in.
/// 6. Tidy: drop the replaced tables, validate the keys that cross to tables the run did not load.
///
/// With `--append` the rows are added to the live tables instead, all files in one
/// transaction (`RunLoader+Append`).
///
/// A class: one loader is one session on its connection, with the state of its run.
public final class RunLoader {
    public let connection: Connection
    public let options: LoadOptions
    /// Called after each chunk is sent to the server with the file bytes read so far.
    public var onChunkSent: ((Int) -> Void)?
    /// Called with each file's report once its table is staged (or its rows appended).
    public var onFileLoaded: ((FileReport) -> Void)?
    /// Where notes for a person go (unknown columns, waiting for another run).
    public var warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// Whether a connection starts reading its next file while the previous one's keys are
    /// built; off only to compare against in tests.
    var readsAhead = true
    /// How long a run waits for another run on the same database to finish (a PostgreSQL interval).
    var runLockTimeout = "60s"

    /// The tables staged so far, in load order.
    var staged: [StagedTable] = []
    /// The run's record in `atelier_load_runs`.
    var runId: Int64?
    /// The name of the schema the live catalogue is in (the session's current schema).
    var liveSchema = "public"
    /// Whether this session holds the run lock (`Schema.runLockKey`).
    var holdsRunLock = false

    public init(connection: Connection, options: LoadOptions) {
        self.connection = connection
        self.options = options
    }

    /// Loads `files` (paths, in load order: `LoadPlan`) as one run.
    public func load(files: [String]) -> RunReport {
        (staged, runId) = ([], nil)
        var reports: [FileReport] = []
        do throws(LoadError) {
            let tables = try checkFiles(files)
            defer { releaseRunLock() }
            try prepare(files: files)
            do throws(LoadError) {
                if options.mode == .append {
                    try appendAll(files, tables: tables) { report in
                        reports.append(report)
                        onFileLoaded?(report)
                    }
                    return RunReport(outcome: .appended, files: reports)
                }
                do throws(LoadError) {
                    reports = try stageAll(files, tables: tables).map(\.report)
                } catch {
                    reports = staged.map(\.report)
                    throw error
                }
                let plan = try judge()
                let switched = try CatalogSwitch(
                    connection: connection, plan: plan, liveSchema: liveSchema, runId: runId
                )
                .run()
                for index in reports.indices where switched.emptied.contains(reports[index].table.rawValue) {
                    reports[index].tableRows = 0
                }
                do throws(LoadError) {
                    try tidy(after: plan)
                } catch {
                    return RunReport(outcome: .switchedUntidy, files: reports, switched: switched, failure: error)
                }
                return RunReport(outcome: .switched, files: reports, switched: switched)
            } catch {
                abandon()
                throw error
            }
        } catch {
            let outcome: RunReport.Outcome
            switch error {
            case .refused: outcome = .refused
            case .database, .afterSwitch: outcome = .failed
            }
            return RunReport(outcome: outcome, files: reports, failure: error)
        }
    }

    /// After a run that did not switch: its staging tables and encoder are dropped and the run is
    /// marked stopped, as far as the connection allows (the next run removes what is left).
    private func abandon() {
        connection.rollBackIfOpen()
        try? connection.execute(Schema.dropRunSchemas)
        if let runId { try? connection.finishRun(runId, status: .stopped) }
    }

    /// Drops the tables the switch replaced and validates the keys it added `NOT VALID` (each in
    /// a transaction of its own, which blocks neither readers nor writers). An API statement
    /// planned before the switch may still hold a lock on one replaced table and want another
    /// that the drop holds: the drop gives way (`yieldingLocks`), so that PostgreSQL never ends
    /// the API statement to break the deadlock.
    private func tidy(after plan: SwitchPlan) throws(LoadError) {
        do throws(DatabaseError) {
            try yieldingLocks { () throws(DatabaseError) in try connection.execute(Schema.dropRunSchemas) }
            for key in plan.crossingKeys { try connection.execute(Schema.validateForeignKey(key.child, key.column)) }
        } catch {
            throw .afterSwitch(error)
        }
    }
}
