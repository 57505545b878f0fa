import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// The replace step: a table is emptied with its keys and indexes dropped, so COPY runs at
/// full speed, then they are rebuilt; dependants left pointing at rows that are gone make the
/// load refused, or with `--cascade` are emptied (a shrink the `ShrinkGuard` judges too).
extension FileLoader {
    /// Starts the file's transaction. A replacing load first locks every table it will alter or
    /// empty (the table, the tables whose keys point at it and, with `--cascade`, every
    /// descendant) and the parents whose keys it adds back, so that it cannot deadlock with an
    /// API write midway. API writes then wait for its commit (or their deadline: a 503).
    func begin(_ table: TableSpec) throws(DatabaseError) {
        let altered =
            options.cascade
            ? Self.descendants(of: [table.name]) : [table.name] + Catalog.dependants(of: table.name).map(\.name)
        let parents = table.parents.map(Schema.quoted).joined(separator: ", ")
        var locks = "LOCK TABLE \(altered.map(Schema.quoted).joined(separator: ", ")) IN ACCESS EXCLUSIVE MODE"
        if !parents.isEmpty { locks += "; LOCK TABLE \(parents) IN SHARE ROW EXCLUSIVE MODE" }
        try retryingDeadlocks { () throws(DatabaseError) in
            try connection.execute("BEGIN")
            guard options.mode == .replace else { return }
            do throws(DatabaseError) {
                try connection.execute(locks)
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `step`, statements that take locks before the load has changed anything, again
    /// (up to five times, a little later each time) when PostgreSQL ends it to break a deadlock
    /// with an API write that holds one of those tables while it waits for another.
    func retryingDeadlocks(_ step: () throws(DatabaseError) -> Void) throws(DatabaseError) {
        for attempt in 1... {
            do {
                return try step()
            } catch {
                guard error.sqlState == "40P01", attempt < 5 else { throw error }
                Thread.sleep(forTimeInterval: 0.1 * Double(attempt))
            }
        }
    }

    /// Drops the foreign keys that point at `table`, its own keys and indexes, and empties it;
    /// its per-row change notifications pause until `rebuildKeys` (the TRUNCATE notified).
    func dropKeysAndEmpty(_ table: TableSpec) throws(DatabaseError) {
        for (child, column) in Self.dependantKeys(of: table) {
            try connection.execute(Schema.dropForeignKey(child, column))
        }
        for statement in Schema.dropKeysAndIndexes(table) { try connection.execute(statement) }
        try connection.execute("TRUNCATE \(Schema.quoted(table.name))")
        try connection.execute(Schema.pauseRowNotifications(table))
    }

    /// Restores notifications, keys and indexes after a replacing load, and makes sure no other table is
    /// left pointing at rows that are gone: refused, or with `--cascade` those tables emptied.
    func rebuildKeys(_ table: TableSpec, shrink: ShrinkGuard, report: inout FileReport) throws(LoadError) {
        let file = report.file
        let orphaned = try LoadError.onDatabase(file: file) { () throws(DatabaseError) in try restoreKeys(table) }
        guard !orphaned.isEmpty else { return }
        let emptied = Self.descendants(of: orphaned.map(\.table.name))
        guard options.cascade else {
            let listing = try LoadError.onDatabase(file: file) { () throws(DatabaseError) in
                try orphaned.map { orphan throws(DatabaseError) in
                    "\(try connection.scalar(Schema.orphanCount(orphan.table, orphan.column)) ?? "?") rows of \(orphan.table.name)"
                }
            }
            throw LoadError.refused(
                """
                \(file): refused: the new \(table.name) rows would leave \(listing.joined(separator: ", ")) \
                pointing at \(table.name) rows that are gone. Load those files too, or pass --cascade to empty \
                the dependent tables (\(emptied.joined(separator: ", "))). Nothing was changed.
                """)
        }
        let changes = try LoadError.onDatabase(file: file) { () throws(DatabaseError) in
            try emptied.map { name throws(DatabaseError) in
                ShrinkGuard.Change(table: name, before: try rowCount(name), after: 0, note: " (emptied by --cascade)")
            }
        }
        try shrink.check(changes)
        try LoadError.onDatabase(file: file) { () throws(DatabaseError) in
            try connection.execute("TRUNCATE " + emptied.map(Schema.quoted).joined(separator: ", "))
            for (child, column) in orphaned { try connection.execute(Schema.addForeignKey(child, column)) }
            for name in emptied {
                try connection.recordLoad(
                    LoadHistoryEntry(
                        table: name, file: file, fileSize: 0, checksum: "", mode: "emptied", rowsRead: 0,
                        rowsLoaded: 0, rowsRepaired: 0, rejectedJSON: "{}", tableRows: 0, seconds: 0, runId: runId))
            }
        }
        report.emptiedTables = emptied
        warn("\(file): --cascade emptied \(emptied.joined(separator: ", "))")
    }

    /// Rebuilds `table`'s keys and indexes and re-adds its dependants' foreign keys; returns
    /// the dependant keys that could not be added because rows point at rows that are gone.
    private func restoreKeys(_ table: TableSpec) throws(DatabaseError) -> [(table: TableSpec, column: ColumnSpec)] {
        try connection.execute(Schema.resumeRowNotifications(table))
        for statement in Schema.createKeysAndIndexes(table) { try connection.execute(statement) }
        // Re-adding a dependant's foreign key validates it; orphans are only counted when it fails.
        var orphaned: [(table: TableSpec, column: ColumnSpec)] = []
        for (child, column) in Self.dependantKeys(of: table) where try !addForeignKeyIfValid(child, column) {
            orphaned.append((child, column))
        }
        return orphaned
    }

    /// Every foreign key of another table that points at `table`.
    static func dependantKeys(of table: TableSpec) -> [(TableSpec, ColumnSpec)] {
        Catalog.dependants(of: table.name).flatMap { child in
            child.references.filter { $0.table == table.name }.map { (child, $0.column) }
        }
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
            for table in Catalog.tables
            where !found.contains(table.name) && table.parents.contains(where: found.contains) {
                found.insert(table.name)
                changed = true
            }
        }
        return Catalog.tables.map(\.name).filter(found.contains)
    }
}
