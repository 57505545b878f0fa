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
        let existingColumns = try columnTypes()
        let constraints = try constraintStates()
        let indexes = try indexNames()
        let lastCounts = existingColumns[Schema.historyTable] != nil ? try connection.lastLoadedCounts() : [:]
        var checks: [Check] = []
        for table in Catalog.tables {
            guard let columns = existingColumns[table.name] else {
                checks.append(Check(name: "table \(table.name)", passed: false, detail: "table is missing"))
                continue
            }
            checks.append(columnsCheck(table, have: columns))
            checks.append(keysCheck(table, constraints: constraints, indexes: indexes))
            checks += try orphanChecks(table)
            let rows = try rowStatistics(table)
            checks.append(try sequenceCheck(table, sequence: rows.sequence, largestID: rows.largestID))
            checks.append(countCheck(table, count: rows.count, lastLoaded: lastCounts[table.name]))
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
