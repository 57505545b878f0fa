/// What the loader's connections use when the connection string does not say: the name
/// `atelier-etl` in `pg_stat_activity`, and TCP keepalives, so that a vanished peer is noticed
/// within about a minute (30 s idle, then 3 probes 10 s apart)
/// instead of the system's two hours. Both ends need them: libpq's `keepalives_*` let the
/// client notice a dead server; the server's `tcp_keepalives_*` let PostgreSQL notice a dead
/// loader host and release the locks its transaction holds.
public enum ConnectionDefaults {
    public static let client: [String: String] = [
        "keepalives": "1",
        "keepalives_idle": "30",
        "keepalives_interval": "10",
        "keepalives_count": "3",
        "application_name": "atelier-etl",
    ]

    /// Session settings for the server's side of the same connection.
    public static let serverKeepaliveSQL =
        "SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3"
}
