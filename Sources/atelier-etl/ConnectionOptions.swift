import ArgumentParser
import AtelierCommandLine
import AtelierPostgres
import Foundation

/// `--database-url` (the shared option), and connecting with the documented exit code.
struct ConnectionOptions: ParsableArguments {
    @OptionGroup var database: DatabaseURLOption

    /// Connects, or prints why not and exits with the database code.
    func connect() throws -> Connection {
        do {
            return try Connection(database.connectionString)
        } catch {
            printError("atelier-etl: \(error)")
            throw ExitCode(ExitStatus.database)
        }
    }
}

func printError(_ message: String) {
    CommandLineMain.printError(message)
}
