import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// Before a run stages anything: its files checked, one run at a time, the database made ready.
extension RunLoader {
    /// The table of each file; refuses the run at once, naming every file at fault, when a file
    /// is unknown, named twice, unreadable, or its header lacks a required column, before the
    /// database is touched.
    func checkFiles(_ files: [String]) throws(LoadError) -> [TableSpec] {
        var tables: [TableSpec] = []
        var paths: [TableName: String] = [:]
        var problems: [String] = []
        for path in files {
            let name = URL(fileURLWithPath: path).lastPathComponent
            guard let table = Catalog.table(forFile: name) else {
                problems.append(
                    "\(path): not an export file this loader knows (expected one of: \(Catalog.tables.map(\.fileName).joined(separator: ", ")))"
                )
                continue
            }
            if let earlier = paths[table.tableName] {
                problems.append(
                    "\(table.fileName) is named twice in one run (\(earlier) and \(path)): a run loads each table once")
            }
            do throws(LoadError) {
                _ = try FileEncoder.openReader(path: path, table: table, maxRecordBytes: options.maxRecordBytes)
            } catch {
                problems.append(error.description)
            }
            tables.append(table)
            paths[table.tableName] = path
        }
        guard problems.isEmpty else { throw .refused(problems.joined(separator: "\n")) }
        return tables
    }

    /// Takes the run lock, removes what a run that did not finish left (its staging and retired
    /// tables, keys it switched in but did not validate), makes the live schema current and
    /// records the run.
    func prepare(files: [String]) throws(LoadError) {
        try LoadError.during("preparing the run") {
            try connection.execute(Self.sessionSettings)
            try takeRunLock()
            try applySchemaIfNeeded()
            try connection.execute(options.mode == .replace ? Schema.freshRunSchemas : Schema.dropRunSchemas)
            try validateLeftoverKeys()
            liveSchema = try connection.scalar("SELECT current_schema()") ?? liveSchema
            runId = try connection.startRun(files: files.map { URL(fileURLWithPath: $0).lastPathComponent })
        }
    }

    /// Set on each of the run's connections: a backend whose loader was killed ends within a
    /// second even mid-statement, so the next run does not wait for it long.
    static let sessionSettings = "SET client_connection_check_interval = '1s'"

    func releaseRunLock() {
        guard holdsRunLock else { return }
        try? connection.execute("SELECT pg_advisory_unlock(\(Schema.runLockKey))")
        holdsRunLock = false
    }

    /// One run at a time per database: waits up to `runLockTimeout` for another run to finish.
    private func takeRunLock() throws {
        if try connection.scalar("SELECT pg_try_advisory_lock(\(Schema.runLockKey))") == "t" {
            holdsRunLock = true
            return
        }
        let holder =
            try connection.query(
                """
                SELECT a.pid, a.application_name, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ')
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid = \(Schema.runLockKey >> 32) AND l.objid = \(Schema.runLockKey & 0xFFFF_FFFF)
                """
            ).first.map { "backend \($0[0] ?? "?") (\($0[1] ?? "?"), connected \($0[2] ?? "?"))" } ?? "another session"
        warn("waiting for the run of \(holder) to finish")
        do throws(DatabaseError) {
            try connection.execute(
                "SET lock_timeout = '\(runLockTimeout)'; SELECT pg_advisory_lock(\(Schema.runLockKey))")
            holdsRunLock = true
            try connection.execute("RESET lock_timeout")
        } catch {
            try? connection.execute("RESET lock_timeout")
            guard error.sqlState == "55P03" else { throw error }
            throw LoadError.refused(
                """
                another run is loading this database (\(holder)) and did not finish within \(runLockTimeout); \
                run this one when it has
                """)
        }
    }

    /// Applies the schema script when the live schema is missing, incomplete or another
    /// version's. Otherwise nothing live is touched: the script would lock every table briefly.
    private func applySchemaIfNeeded() throws {
        if try connection.scalar(Schema.isCurrentQuery) == "t",
            try connection.scalar(Schema.recordedFingerprintQuery) == Schema.fingerprint
        {
            return
        }
        try yieldingLocks { () throws(DatabaseError) in try connection.execute(Schema.applyScript) }
    }

    /// Validates the foreign keys a run switched in `NOT VALID` but was stopped before it
    /// validated. One that fails (rows deleted by hand meanwhile) stays for `verify` to name.
    private func validateLeftoverKeys() throws {
        for row in try connection.query(Schema.unvalidatedForeignKeys) {
            guard let table = row[0], let constraint = row[1] else { continue }
            do throws(DatabaseError) {
                try connection.execute("ALTER TABLE \(table) VALIDATE CONSTRAINT \(Schema.quoted(constraint))")
            } catch {
                guard error.sqlState == "23503" else { throw error }
                warn("\(table): foreign key \(constraint) stays unvalidated: \(error.message)")
            }
        }
    }

    /// How long `yieldingLocks` waits for one lock: well under PostgreSQL's `deadlock_timeout`
    /// (1 s unless the server says otherwise), the wait after which a backend checks for a
    /// deadlock and ends itself if it finds one.
    static let yieldingLockTimeout = "100ms"
    /// Tries of `yieldingLocks`: enough to outwait an API statement up to its deadline.
    static let yieldingAttempts = 300

    /// Runs `step`, a statement that only takes locks and may run again (the schema script before
    /// the run changes anything, dropping the replaced tables after the switch), so that it never
    /// leaves PostgreSQL a deadlock with an API statement to break: PostgreSQL ends whichever
    /// backend started waiting first, which may be the API's. Each lock is asked for with
    /// `yieldingLockTimeout`, so in a deadlock the step gives up before any deadlock check runs,
    /// and is run again.
    func yieldingLocks(_ step: () throws(DatabaseError) -> Void) throws(DatabaseError) {
        try connection.execute("SET lock_timeout = '\(Self.yieldingLockTimeout)'")
        defer { try? connection.execute("RESET lock_timeout") }
        for attempt in 1... {
            do {
                return try step()
            } catch {
                connection.rollBackIfOpen()
                let gaveWay = error.sqlState == "55P03" || error.sqlState == "40P01"
                guard gaveWay, attempt < Self.yieldingAttempts else { throw error }
            }
        }
    }
}
