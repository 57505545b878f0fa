import ArgumentParser
import AtelierCommandLine
import AtelierPostgres
import Foundation

/// `atelier-etl`: loads the legacy Atelier CSV exports into PostgreSQL and checks the result.
@main
struct AtelierETL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atelier-etl",
        abstract: "Clean the Atelier CSV exports and load them into PostgreSQL.",
        discussion: """
            Exit codes:
              0  done (rejected rows are reported, not a failure; verify: every check passed)
              1  usage error
              2  the run was refused: a file unreadable or with a bad header, no such file, rows
                 mostly rejected, a table shrinking or rows orphaned; nothing was switched
              3  database error (cannot connect, or the server failed before the switch: nothing
                 was switched; or tidying after it failed: the next load finishes it)
              4  verify found problems

            Connection: --database-url, else DATABASE_URL, else the PG* variables, else the
            embedded cluster started by `make db` (\(DatabaseLocation.embedded)).
            """,
        version: "atelier-etl \(AtelierVersion.current)",
        subcommands: [LoadCommand.self, VerifyCommand.self, SchemaCommand.self, GenerateCommand.self]
    )

    func run() throws {
        throw ValidationError("choose a command: load, verify or schema")
    }

    /// Runs the command with the documented exit codes (ArgumentParser's own usage code
    /// is 64; ours is 1).
    static func main() {
        var command = CommandLineMain.parse(Self.self)
        do {
            try command.run()
        } catch {
            CommandLineMain.exit(with: error, for: Self.self)
        }
    }
}
