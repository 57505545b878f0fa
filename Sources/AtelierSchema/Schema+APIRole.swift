import AtelierCatalog

extension Schema {
    /// The role `atelier-serve` connects as: it can read the catalogue and make exactly the
    /// writes the API's routes make, nothing else (no TRUNCATE, DELETE or DDL).
    public static let apiRole = "atelier_api"

    /// Tables the API inserts into (POST routes); it draws their ids from their sequences.
    public static let apiInsertTables = [
        "reviews", "reviews_photos", "characteristic_reviews", "questions", "answers", "answers_photos", "cart",
        interactionsTable,
    ]

    /// Columns the API updates: helpful votes and reports.
    public static let apiUpdateColumns: [(table: String, columns: [String])] = [
        ("reviews", ["helpfulness", "reported"]), ("questions", ["helpful", "reported"]),
        ("answers", ["helpful", "reported"]),
    ]

    /// Creates the role when missing and this session may create roles (a loader connected
    /// without CREATEROLE leaves that to an administrator), then grants it its privileges on
    /// this database's tables. It logs in without a password, which the embedded cluster's
    /// trust authentication accepts; on a real server set one (`ALTER ROLE atelier_api
    /// PASSWORD …`, README).
    static var apiRoleSQL: String {
        """
        -- The API's role (atelier-serve): read the catalogue, make the API's writes, nothing more.
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(apiRole)')
               AND (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
                CREATE ROLE \(apiRole) LOGIN;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$;
        \(grantsSQL(Catalog.tables.map(\.name) + [interactionsTable], in: .live))
        """
    }

    /// Grants the API's role its privileges on `table` in `namespace` (a staged table takes them
    /// with it when the switch moves it in), when the role exists.
    public static func apiGrants(_ table: TableSpec, in namespace: Namespace) -> String {
        grantsSQL([table.name], in: namespace)
    }

    private static func grantsSQL(_ tables: [String], in namespace: Namespace) -> String {
        let grants = tables.flatMap { table -> [String] in
            let target = namespace.qualified(table)
            let inserts = apiInsertTables.contains(table)
            let privileges =
                ["SELECT"] + (inserts ? ["INSERT"] : [])
                + apiUpdateColumns.filter { $0.table == table }.map {
                    "UPDATE (\($0.columns.map(quoted).joined(separator: ", ")))"
                }
            let sequence =
                "EXECUTE format('GRANT USAGE ON SEQUENCE %s TO \(apiRole)', pg_get_serial_sequence('\(target)', 'id'));"
            return ["GRANT \(privileges.joined(separator: ", ")) ON \(target) TO \(apiRole);"]
                + (inserts ? [sequence] : [])
        }
        return """
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(apiRole)') THEN
                    \(grants.joined(separator: "\n        "))
                END IF;
            END $$;
            """
    }
}
