import AtelierCatalog

extension Schema {
    /// The channel every catalogue table notifies, at commit, with its name as the payload:
    /// how `atelier-serve` keeps its response cache correct whoever writes (another server,
    /// the loader, psql).
    public static let changeChannel = "atelier_changes"

    public static func changeTriggerName(_ table: TableSpec) -> String { "\(table.name)_notify_change" }

    public static var changeTriggerNames: [String] { Catalog.tables.map(changeTriggerName) }

    /// The notifying function and one statement-level trigger per table (so a COPY of a
    /// million rows sends one notification, not a million).
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
                + "ON \(quoted(table.name)) FOR EACH STATEMENT EXECUTE FUNCTION atelier_notify_change();"
        }
        return ([function] + triggers).joined(separator: "\n")
    }
}
