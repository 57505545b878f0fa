import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// Every file of a replacing run staged in a table of its own beside the live one, on
/// `LoadOptions.jobs` connections at once, then the foreign keys among the staged tables.
extension RunLoader {
    /// Stages `files` (in load order, with their `tables`) on this connection and `jobs − 1`
    /// more opened like it (`StagingSchedule` decides which file each stages next), then adds
    /// the foreign keys among the staged tables. Returns the staged tables in load order; the
    /// run's first failure is thrown once every connection has stopped.
    func stageAll(_ files: [String], tables: [TableSpec]) throws(LoadError) -> [StagedTable] {
        let sizes = LoadPlan.sizes(of: files)
        let costs = zip(files, sizes).map { StagingSchedule.estimatedCost(path: $0, size: $1) }
        let schedule = StagingSchedule(files: files, tables: tables, costs: costs)
        let progress = ProgressMeter(totalBytes: sizes.reduce(0, +), totalFiles: files.count)
        defer { progress.finish() }
        var connections = [connection]
        try LoadError.during("opening the run's connections") {
            for _ in 1..<max(1, min(options.jobs, files.count)) {
                let another = try connection.openAnother()
                try another.execute(Self.sessionSettings)
                connections.append(another)
            }
        }
        let hooks = RunHooks(
            warn: warn, chunkSent: onChunkSent,
            fileLoaded: { [onFileLoaded] report in
                progress.fileDone()
                onFileLoaded?(report)
            })
        let start = Date()
        let everyWorker = DispatchGroup()
        for connection in connections {
            let worker = StagingWorker(
                connection: connection, options: options, schedule: schedule, hooks: hooks, progress: progress,
                readsAhead: readsAhead)
            everyWorker.enter()
            Thread {
                worker.run(since: start)
                everyWorker.leave()
            }.start()
        }
        everyWorker.wait()
        for another in connections.dropFirst() { another.rollBackIfOpen() }
        let (stagedTables, failure) = schedule.outcome()
        staged = stagedTables
        if let failure { throw failure }
        try addForeignKeys(among: stagedTables)
        return stagedTables
    }

    /// The foreign keys among the staged tables, added `NOT VALID`: the loader has already
    /// checked every reference of every staged row against the ids its parent was staged with,
    /// so PostgreSQL need not scan them again; it checks every row written from now on. A
    /// comment on each key records that proof, which `verify` accepts (and checks again by
    /// counting orphans) and which the next run does not validate again.
    func addForeignKeys(among stagedTables: [StagedTable]) throws(LoadError) {
        let names = Set(stagedTables.map(\.spec.tableName))
        try LoadError.during("adding the foreign keys among the staged tables") {
            try connection.execute("BEGIN")
            for table in stagedTables.map(\.spec) {
                for (column, parent) in table.references where names.contains(parent) {
                    try connection.execute(
                        Schema.addForeignKey(table, column, in: .staging, parentIn: .staging, validated: false))
                    try connection.execute(Schema.markForeignKeyProved(table, column, in: .staging))
                }
            }
            try connection.execute("COMMIT")
        }
    }
}
