import ArgumentParser
import AtelierPostgres
import Foundation

/// `--database-url`, for every command that talks to PostgreSQL, resolved by one rule: the
/// option, else `DATABASE_URL`, else the `PG*` variables, else the embedded cluster.
public struct DatabaseURLOption: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "libpq URI or key=value string (default: DATABASE_URL, then PG* variables, then the embedded cluster).")
    public var databaseURL: String?

    public init() {}

    public var connectionString: String {
        DatabaseLocation.connectionString(explicit: databaseURL, environment: ProcessInfo.processInfo.environment)
    }
}
