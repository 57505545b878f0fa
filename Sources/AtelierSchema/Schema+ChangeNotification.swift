import AtelierCatalog

extension Schema {
    /// The channel every catalogue table notifies at commit: how `atelier-serve` keeps its
    /// response cache correct whoever writes (another server, the loader, psql).
    ///
    /// A statement that inserts, updates or deletes rows sends the keys the rows belong to, as
    /// JSON: `{"table": "reviews", "products": [7, 9], "questions": null, "columns": null}`
    /// (`null`: the table has no path to that key); an UPDATE of at most
    /// `maximumKeysPerNotification` rows also names the columns whose values it changed
    /// (`"columns": ["helpfulness"]`), so that answers reading none of them stay; when that is a
    /// single count column (`ColumnKind.count`) of a table that names its product, and at most
    /// `maximumCountsPerNotification` rows changed, it also sends each row's id, product and new
    /// value, flattened (`"counts": [42, 7, 39]`), so that answers showing them can be patched
    /// rather than read again (`CountPatch`). A TRUNCATE, a
    /// table without keys, or a statement whose keys would not fit a notification
    /// (`maximumKeysPerNotification`) sends the bare table name: everything built from the
    /// table changed.
    public static let changeChannel = "atelier_changes"

    /// Past this many keys of one kind, a statement reports its whole table instead; keeps the
    /// payload under PostgreSQL's 8,000 bytes.
    public static let maximumKeysPerNotification = 500

    /// Past this many rows, an UPDATE of a count column alone sends no `counts`; with them, the
    /// payload stays under PostgreSQL's 8,000 bytes too.
    public static let maximumCountsPerNotification = 100

    /// What a change trigger fires on. INSERT, UPDATE and DELETE triggers see the changed rows
    /// (transition tables allow one event per trigger); TRUNCATE has no rows to see.
    public enum ChangeEvent: String, CaseIterable, Sendable {
        case insert, update, delete, truncate
    }

    public static func changeTriggerName(_ table: TableSpec, _ event: ChangeEvent) -> String {
        "\(table.name)_notify_\(event.rawValue)"
    }

    /// Every change trigger, as (trigger, table).
    public static var changeTriggers: [(trigger: String, table: String)] {
        Catalog.tables.flatMap { table in ChangeEvent.allCases.map { (changeTriggerName(table, $0), table.name) } }
    }

    /// How many of the change triggers exist, on the right table, enabled for every session
    /// (`A`: ENABLE ALWAYS); the listener's heartbeat wants all of them.
    public static var changeTriggerCheck: String {
        let pairs = changeTriggers.map { "('\($0.trigger)', '\($0.table)')" }.joined(separator: ", ")
        return """
            SELECT count(*)::int4 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
            JOIN (VALUES \(pairs)) AS wanted(trigger_name, table_name) \
            ON t.tgname = wanted.trigger_name AND c.relname = wanted.table_name \
            WHERE c.relnamespace = current_schema()::regnamespace AND t.tgenabled = 'A'
            """
    }

    /// A query listing the ids of `key` (a product, a question) that the rows of `table` in the
    /// relation `%1$s` belong to, found by following the catalogue's references (photos →
    /// styles → product); nil when `table` has no path to `key`.
    public static func keyQuery(_ table: TableSpec, key: TableName) -> String? {
        if table.tableName == key { return "SELECT r.id FROM %1$s r" }
        guard var path = referencePath(from: table, to: key) else { return nil }
        let last = path.removeLast()
        var joins = "", alias = "r"
        for (index, step) in path.enumerated() {
            let next = "k\(index + 1)"
            joins += " JOIN \(quoted(step.parent.rawValue)) \(next) ON \(next).id = \(alias).\(quoted(step.column))"
            alias = next
        }
        return "SELECT \(alias).\(quoted(last.column)) FROM %1$s r\(joins)"
    }

    /// The first chain of reference columns that leads from `table` to `key`.
    private static func referencePath(from table: TableSpec, to key: TableName) -> [(
        column: String, parent: TableName
    )]? {
        for column in table.columns {
            guard case .reference(let parent) = column.kind else { continue }
            if parent == key { return [(column.name, parent)] }
            if let rest = referencePath(from: parent.spec, to: key) { return [(column.name, parent)] + rest }
        }
        return nil
    }

    /// The notifying functions and four statement-level triggers per table (so a COPY of a
    /// million rows sends one notification, not a million), enabled ALWAYS: a session with
    /// `session_replication_role = replica` (a replication tool, a bulk fix) notifies too.
    /// Each table with keys has a function of its own whose queries are static, so PostgreSQL
    /// plans them once per session; one shared function running them through EXECUTE would plan
    /// them on every statement, costing a helpful vote more than its UPDATE.
    static var changeNotificationSQL: String {
        let shared = """
            -- Change notifications for the API's response cache (Schema+ChangeNotification.swift).
            CREATE OR REPLACE FUNCTION atelier_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(changeChannel)', TG_TABLE_NAME);
                RETURN NULL;
            END $$;
            -- The keys and columns a statement changed, as one notification (or the table's name).
            DROP FUNCTION IF EXISTS atelier_notify_keys(text, int[], int[], text[]);
            CREATE OR REPLACE FUNCTION atelier_notify_keys(table_name text, products int[], questions int[],
                columns text[], counts int[]) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                IF coalesce(cardinality(products), 0) > \(maximumKeysPerNotification)
                    OR coalesce(cardinality(questions), 0) > \(maximumKeysPerNotification) THEN
                    PERFORM pg_notify('\(changeChannel)', table_name);
                ELSIF products IS NOT NULL OR questions IS NOT NULL THEN
                    PERFORM pg_notify('\(changeChannel)', json_build_object('table', table_name,
                        'products', products, 'questions', questions, 'columns', columns, 'counts', counts)::text);
                END IF;
            END $$;
            """
        let tables = Catalog.tables.map { table in
            let functionSQL = rowsFunctionName(table).map {
                rowsFunction(
                    $0, table: table, keyQueries: [TableName.product, .questions].map { keyQuery(table, key: $0) })
            }
            // The single trigger of earlier schemas, which notified only the table's name.
            let previous = "DROP TRIGGER IF EXISTS \(quoted(table.name + "_notify_change")) ON \(quoted(table.name));"
            return ([functionSQL, previous].compactMap { $0 } + changeTriggers(table)).joined(separator: "\n")
        }
        // Triggers of earlier schemas call the shared function: replace them before dropping it.
        let drop = "DROP FUNCTION IF EXISTS atelier_notify_rows();"
        return ([shared] + tables + [drop]).joined(separator: "\n")
    }

    /// The trigger function of a table with a path to a product or a question; nil for one with
    /// neither (its triggers notify the table's name).
    static func rowsFunctionName(_ table: TableSpec) -> String? {
        let keyed = [TableName.product, .questions].contains { keyQuery(table, key: $0) != nil }
        return keyed ? "atelier_notify_\(table.name)" : nil
    }

    /// The four statement-level change triggers of `table` in `namespace`, enabled ALWAYS. A
    /// staged table gets them once its rows are in, so the COPY fires none.
    public static func changeTriggers(_ table: TableSpec, in namespace: Namespace = .live) -> [String] {
        let function = rowsFunctionName(table)
        let target = namespace.qualified(table.name)
        return ChangeEvent.allCases.map { event in
            let name = quoted(changeTriggerName(table, event))
            let action: String
            switch event {
            case .insert: action = "AFTER INSERT ON \(target) REFERENCING NEW TABLE AS new_rows"
            case .update: action = "AFTER UPDATE ON \(target) REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            case .delete: action = "AFTER DELETE ON \(target) REFERENCING OLD TABLE AS old_rows"
            case .truncate: action = "AFTER TRUNCATE ON \(target)"
            }
            let called = event == .truncate ? nil : function
            return """
                CREATE OR REPLACE TRIGGER \(name) \(action) FOR EACH STATEMENT EXECUTE FUNCTION \(called.map(quoted) ?? "atelier_notify_change")();
                ALTER TABLE \(target) ENABLE ALWAYS TRIGGER \(name);
                """
        }
    }

    /// The notification a switch sends for a table it moved in: everything built from it changed.
    public static func notifyWhole(_ table: TableSpec) -> String {
        "SELECT pg_notify('\(changeChannel)', '\(table.name)')"
    }

    /// A table's trigger function: the product and question ids of the rows a statement
    /// inserted, deleted or updated (before and after), and for an UPDATE of at most
    /// `maximumKeysPerNotification` rows the columns whose values changed (every catalogue
    /// table's key is `id`; a row whose id changed leaves the columns unknown). The columns are
    /// compared one by one, as the catalogue names them: comparing the rows as JSON costs each
    /// vote a conversion of both rows.
    private static func rowsFunction(_ name: String, table: TableSpec, keyQueries: [String?]) -> String {
        func keys(_ relation: String) -> String {
            let selects = keyQueries.map { query in
                query.map {
                    "(SELECT array_agg(DISTINCT k ORDER BY k) FROM (\($0.replacingOccurrences(of: "%1$s", with: relation))) AS keys(k))"
                }
                    ?? "NULL"
            }
            return "SELECT \(selects.joined(separator: ", ")) INTO products, questions;"
        }
        return """
            CREATE OR REPLACE FUNCTION \(quoted(name))() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                products int[];
                questions int[];
                columns text[];
                counts int[];
                changed int;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    \(keys("new_rows"))
                ELSIF TG_OP = 'DELETE' THEN
                    \(keys("old_rows"))
                ELSE
                    \(keys("(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)"))
                    SELECT count(*) INTO changed FROM new_rows;
                    IF changed <= \(maximumKeysPerNotification) AND NOT EXISTS
                        (SELECT FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id WHERE o.id IS NULL) THEN
                        SELECT coalesce(array_agg(DISTINCT c ORDER BY c), '{}') INTO columns
                        FROM new_rows n JOIN old_rows o ON o.id = n.id,
                            unnest(ARRAY[\(changedColumns(table))]) AS c
                        WHERE c IS NOT NULL;\(countsSQL(table))
                    END IF;
                END IF;
                PERFORM atelier_notify_keys(TG_TABLE_NAME, products, questions, columns, counts);
                RETURN NULL;
            END $$;
            """
    }

    /// For a table that names its product and has count columns: when `columns` is one of them
    /// alone, the rows' id, product and new value into `counts`; empty for any other table.
    private static func countsSQL(_ table: TableSpec) -> String {
        guard let product = referencePath(from: table, to: .product), product.count == 1 else { return "" }
        let counted = table.columns.filter { if case .count = $0.kind { true } else { false } }
        return counted.map { column in
            """

                        IF columns = ARRAY['\(column.name)'] AND changed <= \(maximumCountsPerNotification) THEN
                            SELECT array_agg(x ORDER BY n.id, t.o) INTO counts FROM new_rows n,
                                LATERAL (VALUES (1, n.id), (2, n.\(quoted(product[0].column))), (3, n.\(quoted(column.name)))) AS t(o, x);
                        END IF;
            """
        }.joined()
    }

    /// Each column but the key, as its name when rows `n` and `o` differ in it, else NULL.
    private static func changedColumns(_ table: TableSpec) -> String {
        table.columns.dropFirst().map { column in
            let name = quoted(column.name)
            return "CASE WHEN n.\(name) IS DISTINCT FROM o.\(name) THEN '\(column.name)' END"
        }.joined(separator: ",\n                    ")
    }
}
