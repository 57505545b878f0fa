import AtelierCatalog

/// What a run needs besides the tables' own definitions: the version of the live schema, the
/// lock that lets one run at a time build beside the live catalogue, and the statements that
/// stage, check and switch tables.
extension Schema {
    /// One row: the fingerprint of the script last applied to this database.
    public static let versionTable = "atelier_schema_version"

    /// The session-level advisory lock a run holds from start to end, so that two runs never
    /// build in the same staging schema. PostgreSQL releases it when the session ends.
    public static let runLockKey: Int64 = 0x6174_656C_6965_72

    /// A fingerprint of `script`: a database whose recorded fingerprint differs has another
    /// version's schema (or none) and gets the script before a run.
    public static var fingerprint: String {
        var checksum = Checksum()
        Array(script.utf8).withUnsafeBytes { checksum.update($0) }
        return checksum.hexDigest
    }

    /// Whether the live schema is this version's and whole (every change trigger there and
    /// enabled ALWAYS, every key and index there): then a run leaves the tables it does not load
    /// alone, and otherwise applies `script` first, which locks them briefly.
    public static var isCurrentQuery: String {
        let constraints = Catalog.tables.flatMap { table in
            [table.primaryKeyName] + table.references.map { table.foreignKeyName($0.column) }
        }
        let indexes = Catalog.tables.flatMap { table in table.indexedColumns.map(table.indexName) }
        func list(_ names: [String]) -> String { "ARRAY[" + names.map { "'\($0)'" }.joined(separator: ", ") + "]" }
        return """
            SELECT to_regclass('\(versionTable)') IS NOT NULL
                AND (SELECT count(*) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
                     AND conname = ANY(\(list(constraints)))) = \(constraints.count)
                AND (SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()
                     AND indexname = ANY(\(list(indexes)))) = \(indexes.count)
                AND (\(changeTriggerCheck)) = \(changeTriggers.count)
            """
    }

    /// The recorded fingerprint, once `isCurrentQuery` found the table.
    public static let recordedFingerprintQuery = "SELECT fingerprint FROM \(versionTable)"

    /// Applies `script` and records its fingerprint, in one transaction.
    public static var applyScript: String {
        """
        BEGIN;
        \(script)
        CREATE TABLE IF NOT EXISTS \(versionTable) ("fingerprint" text NOT NULL);
        DELETE FROM \(versionTable);
        INSERT INTO \(versionTable) VALUES ('\(fingerprint)');
        COMMIT;
        """
    }

    /// Removes what a run that did not finish left in the run schemas, then makes them afresh.
    /// Nothing live depends on their tables: a switch moves staged tables out of `staging` with
    /// every key that crosses to a live table added only then, and detaches the tables it moves
    /// to `retired` from every live one.
    public static var freshRunSchemas: String {
        Namespace.runSchemas.compactMap(\.name).map {
            "DROP SCHEMA IF EXISTS \(quoted($0)) CASCADE; CREATE SCHEMA \(quoted($0));"
        }.joined(separator: " ")
    }

    /// Drops the run schemas and what they hold.
    public static var dropRunSchemas: String {
        Namespace.runSchemas.compactMap(\.name).map { "DROP SCHEMA IF EXISTS \(quoted($0)) CASCADE;" }
            .joined(separator: " ")
    }

    /// The run schemas that exist, with how many tables each holds: `name`, `tables`.
    public static var runSchemaLeftovers: String {
        let names = Namespace.runSchemas.compactMap(\.name).map { "'\($0)'" }.joined(separator: ", ")
        return """
            SELECT n.nspname, count(c.oid) FROM pg_namespace n
            LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind = 'r'
            WHERE n.nspname IN (\(names)) GROUP BY n.nspname ORDER BY n.nspname
            """
    }

    /// The catalogue's foreign keys left `NOT VALID` in the live schema (by a run ended between
    /// its switch and their validation): `table`, `constraint`.
    public static let unvalidatedForeignKeys = """
        SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
        WHERE c.connamespace = current_schema()::regnamespace AND c.contype = 'f' AND NOT c.convalidated
          AND coalesce(obj_description(c.oid, 'pg_constraint'), '') <> '\(foreignKeyProof)'
        ORDER BY 1, 2
        """

    /// The comment on a foreign key added `NOT VALID` whose rows the loader proved as it
    /// staged them (`markForeignKeyProved`): no run validates it again.
    public static let foreignKeyProof = "every row proved by atelier-etl as it was staged"

    /// Marks `table`'s foreign key on `column` as proved by the loader (see `foreignKeyProof`).
    public static func markForeignKeyProved(_ table: TableSpec, _ column: ColumnSpec, in namespace: Namespace)
        -> String
    {
        "COMMENT ON CONSTRAINT \(quoted(table.foreignKeyName(column))) ON \(namespace.qualified(table.name)) "
            + "IS '\(foreignKeyProof)'"
    }

    /// Moves `table` from `source` to `target` (keys, indexes, triggers, grants and its identity
    /// sequence go with it); `liveSchemaName` is the name of the live catalogue's schema.
    public static func move(_ table: TableSpec, from source: Namespace, to target: Namespace, liveSchemaName: String)
        -> String
    {
        "ALTER TABLE \(source.qualified(table.name)) SET SCHEMA \(quoted(target.name ?? liveSchemaName))"
    }

    /// The largest id `table`'s sequence has handed out (0 when none).
    public static func sequenceLastValue(_ table: TableSpec) -> String {
        "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('\(quoted(table.name))', 'id')::regclass), 0)"
    }

    /// Waits, in the server, until every transaction that is writing to the live `table` now
    /// has ended; new writers do not hold it up, and nothing is locked. After it, a statement
    /// sees every row with an id the sequence had handed out before it started.
    public static func waitForWriters(_ table: TableSpec) -> String {
        """
        DO $$ DECLARE writers text[]; BEGIN
            SELECT array_agg(virtualtransaction) INTO writers FROM pg_locks
            WHERE relation = '\(quoted(table.name))'::regclass AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid();
            WHILE EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'virtualxid' AND virtualxid = ANY(writers)) LOOP
                PERFORM pg_sleep(0.005);
            END LOOP;
        END $$
        """
    }
}
