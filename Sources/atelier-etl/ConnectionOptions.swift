import AtelierDatabase
import ArgumentParser
import Foundation

/// The `--database-url` option shared by every command that talks to PostgreSQL.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "libpq URI or key=value string (default: DATABASE_URL, then PG* variables, then the embedded cluster).")
    var databaseURL: String?

    static let embeddedDescription = DatabaseLocation.embedded

    var connectionString: String {
        DatabaseLocation.connectionString(explicit: databaseURL, environment: ProcessInfo.processInfo.environment)
    }

    /// Connects, or prints why not and exits with the database code.
    func connect() throws -> Connection {
        do {
            return try Connection(connectionString)
        } catch {
            printError("atelier-etl: \(error)")
            throw ExitCode(ExitStatus.database)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
