import AtelierCatalog
import AtelierPostgres
import AtelierSchema

/// `atelier-etl verify`: is the database consistent and ready to serve?
public struct Verifier {
    /// One check's outcome; `detail` says what is wrong, for a person.
    public struct Check: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let detail: String
    }

    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Runs every check: tables and columns, keys and indexes (foreign keys validated or proved
    /// by the loader), orphans,
    /// sequences, the table counts against the last load's (rows added since, by the API, are
    /// fine), and what a run that did not finish left beside the live catalogue (reported, not
    /// a failure: the live tables are as before it, and the next load removes it).
    public func run() throws(DatabaseError) -> [Check] {
        var checks: [Check] = []
        let existingColumns = try columnTypes()
        // A key is whole when PostgreSQL validated it or the loader proved its rows as it staged
        // them (`Schema.foreignKeyProof`); the orphan checks below count again either way.
        var constraints: [String: Bool] = [:]
        for row in try connection.query(
            """
            SELECT conname, convalidated OR coalesce(obj_description(c.oid, 'pg_constraint'), '') = $1
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()
            """, [Schema.foreignKeyProof]
        ) {
            if let name = row[0] { constraints[name] = row[1] == "t" }
        }
        let indexes = Set(
            try connection.query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").compactMap {
                $0[0]
            })
        let lastCounts = (existingColumns[Schema.historyTable] != nil) ? try connection.lastLoadedCounts() : [:]

        for table in Catalog.tables {
            guard let columns = existingColumns[table.name] else {
                checks.append(Check(name: "table \(table.name)", passed: false, detail: "table is missing"))
                continue
            }
            let wrong = table.columns.filter { columns[$0.name] != $0.kind.sqlType }
                .map { "\($0.name) (want \($0.kind.sqlType), have \(columns[$0.name] ?? "none"))" }
            checks.append(
                Check(
                    name: "table \(table.name)", passed: wrong.isEmpty,
                    detail: wrong.isEmpty
                        ? "\(table.columns.count) columns"
                        : "wrong or missing columns: " + wrong.joined(separator: ", ")))

            let wantedConstraints = [table.primaryKeyName] + table.references.map { table.foreignKeyName($0.column) }
            let wantedIndexes = table.indexedColumns.map(table.indexName)
            let missing =
                wantedConstraints.filter { constraints[$0] == nil } + wantedIndexes.filter { !indexes.contains($0) }
            let unvalidated = wantedConstraints.filter { constraints[$0] == false }
            let problems =
                (missing.isEmpty ? [] : ["missing: " + missing.joined(separator: ", ")])
                + (unvalidated.isEmpty ? [] : ["not validated: " + unvalidated.joined(separator: ", ")])
            checks.append(
                Check(
                    name: "keys \(table.name)", passed: problems.isEmpty,
                    detail: problems.isEmpty
                        ? "primary key, \(table.references.count) foreign keys, \(wantedIndexes.count) indexes"
                        : problems.joined(separator: "; ")))

            for reference in table.references {
                let orphans = Int(try connection.scalar(Schema.orphanCount(table, reference.column)) ?? "0") ?? 0
                checks.append(
                    Check(
                        name: "orphans \(table.name).\(reference.column.name)", passed: orphans == 0,
                        detail: orphans == 0 ? "none" : "\(orphans) rows point at missing \(reference.table) rows"))
            }

            let name = Schema.quoted(table.name)
            let stats = try connection.query(
                "SELECT max(\"id\"), count(*), pg_get_serial_sequence($1, 'id') FROM \(name)", [name]
            ).first
            let maxId = stats?[0].flatMap { Int($0) } ?? 0
            let count = stats?[1].flatMap { Int($0) } ?? 0
            if let sequence = stats?[2] ?? nil,
                let state = try connection.query("SELECT last_value, is_called FROM \(sequence)").first,
                let last = state[0].flatMap({ Int($0) })
            {
                let nextId = state[1] == "t" ? last + 1 : last
                checks.append(
                    Check(
                        name: "sequence \(table.name)", passed: nextId > maxId,
                        detail: "next id \(nextId), largest id \(maxId)"))
            } else {
                checks.append(
                    Check(name: "sequence \(table.name)", passed: false, detail: "the id column has no sequence"))
            }

            if let loaded = lastCounts[table.name] {
                // The API only ever adds rows (reviews, answers, carts...), so more rows than
                // the last load left is expected once it has served; fewer means rows were lost.
                let detail =
                    switch count - loaded {
                    case 0: "\(count) rows, as loaded"
                    case 1...: "\(count) rows: \(loaded) loaded, \(count - loaded) added since"
                    default: "\(count) rows, but the last load left \(loaded)"
                    }
                checks.append(Check(name: "count \(table.name)", passed: count >= loaded, detail: detail))
            } else {
                checks.append(
                    Check(name: "count \(table.name)", passed: false, detail: "\(count) rows, but no load is recorded"))
            }
        }
        checks.append(try leftoversCheck())
        return checks
    }

    /// Names the tables a run that did not finish left in the run schemas. They are not part of
    /// the live catalogue, so the check passes; the next load removes them.
    private func leftoversCheck() throws(DatabaseError) -> Check {
        let leftovers = try connection.query(Schema.runSchemaLeftovers).compactMap { row -> String? in
            guard let schema = row[0], let tables = row[1], tables != "0" else { return nil }
            return "\(tables) tables in \(schema)"
        }
        return Check(
            name: "run leftovers", passed: true,
            detail: leftovers.isEmpty
                ? "none"
                : "a run that did not finish left \(leftovers.joined(separator: " and ")); the next load removes them")
    }

    /// Column types by table and column, for the tables of the current schema.
    private func columnTypes() throws(DatabaseError) -> [String: [String: String]] {
        var tables: [String: [String: String]] = [:]
        let rows = try connection.query(
            """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            """)
        for row in rows {
            guard let table = row[0], let column = row[1], let type = row[2] else { continue }
            tables[table, default: [:]][column] = type
        }
        return tables
    }
}
