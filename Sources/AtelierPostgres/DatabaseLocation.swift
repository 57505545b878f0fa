/// Where to connect, by the rule both programs share: an explicit `--database-url`, else
/// `DATABASE_URL`, else the standard `PG*` variables (libpq reads them itself), else the
/// embedded cluster that `make db` starts.
public enum DatabaseLocation {
    /// The embedded cluster of the Makefile: loopback, port 54320, database `atelier`.
    public static let embedded = "host=127.0.0.1 port=54320 dbname=atelier user=postgres"

    static let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"]

    /// The libpq connection string (URI or key=value) to use.
    public static func connectionString(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let url = environment["DATABASE_URL"], !url.isEmpty { return url }
        if libpqVariables.contains(where: { environment[$0] != nil }) { return "" }
        return embedded
    }
}
