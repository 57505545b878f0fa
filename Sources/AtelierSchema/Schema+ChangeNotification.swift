import AtelierCatalog

extension Schema {
    /// The channel every catalogue table notifies, at commit, with its name as the payload:
    /// how `atelier-serve` keeps its response cache correct whoever writes (another server,
    /// the loader, psql).
    public static let changeChannel = "atelier_changes"

    public static func changeTriggerName(_ table: TableSpec) -> String { "\(table.name)_notify_change" }

    public static var changeTriggerNames: [String] { Catalog.tables.map(changeTriggerName) }

    /// How many catalogue tables have their change trigger, on the right table, enabled for
    /// every session (`A`: ENABLE ALWAYS); the listener's heartbeat wants all of them.
    public static var changeTriggerCheck: String {
        let pairs = Catalog.tables.map { "('\(changeTriggerName($0))', '\($0.name)')" }.joined(separator: ", ")
        return """
            SELECT count(*)::int4 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
            JOIN (VALUES \(pairs)) AS wanted(trigger_name, table_name) \
            ON t.tgname = wanted.trigger_name AND c.relname = wanted.table_name \
            WHERE c.relnamespace = current_schema()::regnamespace AND t.tgenabled = 'A'
            """
    }

    /// The notifying function and one statement-level trigger per table (so a COPY of a
    /// million rows sends one notification, not a million), enabled ALWAYS: a session with
    /// `session_replication_role = replica` (a replication tool, a bulk fix) notifies too.
    static var changeNotificationSQL: String {
        let function = """
            -- Change notifications for the API's response cache: one per table and transaction.
            CREATE OR REPLACE FUNCTION atelier_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(changeChannel)', TG_TABLE_NAME);
                RETURN NULL;
            END $$;
            """
        let triggers = Catalog.tables.map { table in
            "CREATE OR REPLACE TRIGGER \(quoted(changeTriggerName(table))) AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                + "ON \(quoted(table.name)) FOR EACH STATEMENT EXECUTE FUNCTION atelier_notify_change();\n"
                + "ALTER TABLE \(quoted(table.name)) ENABLE ALWAYS TRIGGER \(quoted(changeTriggerName(table)));"
        }
        return ([function] + triggers).joined(separator: "\n")
    }
}
