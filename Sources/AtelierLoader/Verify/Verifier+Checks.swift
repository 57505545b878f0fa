import AtelierCatalog
import AtelierPostgres
import AtelierSchema

/// The checks of `verify`, one function each, in the order `run()` reports them per table.
extension Verifier {
    /// Every column of the catalogue is there with its type.
    func columnsCheck(_ table: TableSpec, have columns: [String: String]) -> Check {
        let wrong = table.columns.filter { columns[$0.name] != $0.kind.sqlType }
            .map { "\($0.name) (want \($0.kind.sqlType), have \(columns[$0.name] ?? "none"))" }
        return Check(
            name: "table \(table.name)", passed: wrong.isEmpty,
            detail: wrong.isEmpty
                ? "\(table.columns.count) columns" : "wrong or missing columns: " + wrong.joined(separator: ", "))
    }

    /// The primary key, every foreign key (validated, or proved by the loader) and every lookup
    /// index are there.
    func keysCheck(_ table: TableSpec, constraints: [String: Bool], indexes: Set<String>) -> Check {
        let wantedConstraints = [table.primaryKeyName] + table.references.map { table.foreignKeyName($0.column) }
        let wantedIndexes = table.indexedColumns.map(table.indexName)
        let missing =
            wantedConstraints.filter { constraints[$0] == nil } + wantedIndexes.filter { !indexes.contains($0) }
        let unvalidated = wantedConstraints.filter { constraints[$0] == false }
        let problems =
            (missing.isEmpty ? [] : ["missing: " + missing.joined(separator: ", ")])
            + (unvalidated.isEmpty ? [] : ["not validated: " + unvalidated.joined(separator: ", ")])
        return Check(
            name: "keys \(table.name)", passed: problems.isEmpty,
            detail: problems.isEmpty
                ? "primary key, \(table.references.count) foreign keys, \(wantedIndexes.count) indexes"
                : problems.joined(separator: "; "))
    }

    /// No row points at a missing parent, counted whatever the keys say.
    func orphanChecks(_ table: TableSpec) throws(DatabaseError) -> [Check] {
        var checks: [Check] = []
        for reference in table.references {
            let orphans = Int(try connection.scalar(Schema.orphanCount(table, reference.column)) ?? "0") ?? 0
            checks.append(
                Check(
                    name: "orphans \(table.name).\(reference.column.name)", passed: orphans == 0,
                    detail: orphans == 0 ? "none" : "\(orphans) rows point at missing \(reference.table) rows"))
        }
        return checks
    }

    /// The table's largest id, its rows and its id sequence (nil without one).
    func rowStatistics(_ table: TableSpec) throws(DatabaseError) -> (largestID: Int, count: Int, sequence: String?) {
        let name = Schema.quoted(table.name)
        let stats = try connection.query(
            "SELECT max(\"id\"), count(*), pg_get_serial_sequence($1, 'id') FROM \(name)", [name]
        ).first
        return (stats?[0].flatMap { Int($0) } ?? 0, stats?[1].flatMap { Int($0) } ?? 0, stats?[2] ?? nil)
    }

    /// The id sequence hands out ids past the largest one, so the API's next insert works.
    func sequenceCheck(_ table: TableSpec, sequence: String?, largestID: Int) throws(DatabaseError) -> Check {
        guard let sequence, let state = try connection.query("SELECT last_value, is_called FROM \(sequence)").first,
            let last = state[0].flatMap({ Int($0) })
        else {
            return Check(name: "sequence \(table.name)", passed: false, detail: "the id column has no sequence")
        }
        let nextID = state[1] == "t" ? last + 1 : last
        return Check(
            name: "sequence \(table.name)", passed: nextID > largestID,
            detail: "next id \(nextID), largest id \(largestID)")
    }

    /// The table holds at least the rows its last load left: the API only ever adds rows
    /// (reviews, answers, carts...), so more is expected once it has served; fewer means rows
    /// were lost.
    func countCheck(_ table: TableSpec, count: Int, lastLoaded: Int?) -> Check {
        guard let loaded = lastLoaded else {
            return Check(name: "count \(table.name)", passed: false, detail: "\(count) rows, but no load is recorded")
        }
        let detail =
            switch count - loaded {
            case 0: "\(count) rows, as loaded"
            case 1...: "\(count) rows: \(loaded) loaded, \(count - loaded) added since"
            default: "\(count) rows, but the last load left \(loaded)"
            }
        return Check(name: "count \(table.name)", passed: count >= loaded, detail: detail)
    }

    /// Whether each constraint of the schema is whole, by name: validated by PostgreSQL, or
    /// proved by the loader as it staged the rows (`Schema.foreignKeyProof`).
    func constraintStates() throws(DatabaseError) -> [String: Bool] {
        var constraints: [String: Bool] = [:]
        for row in try connection.query(
            """
            SELECT conname, convalidated OR coalesce(obj_description(c.oid, 'pg_constraint'), '') = $1
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()
            """, [Schema.foreignKeyProof]
        ) {
            if let name = row[0] { constraints[name] = row[1] == "t" }
        }
        return constraints
    }

    /// The indexes of the current schema, by name.
    func indexNames() throws(DatabaseError) -> Set<String> {
        Set(
            try connection.query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").compactMap {
                $0[0]
            })
    }
}
