import ArgumentParser
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
              2  a file was refused or unreadable (bad header, would orphan rows, no such file)
              3  database error (cannot connect, or the server failed; the table is unchanged)
              4  verify found problems

            Connection: --database-url, else DATABASE_URL, else the PG* variables, else the
            embedded cluster started by `make db` (\(ConnectionOptions.embeddedDescription)).
            """,
        subcommands: [LoadCommand.self, VerifyCommand.self, SchemaCommand.self, GenerateCommand.self]
    )

    func run() throws {
        throw ValidationError("choose a command: load, verify or schema")
    }

    /// Runs the command with the documented exit codes (ArgumentParser's own usage code
    /// is 64; ours is 1).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            Foundation.exit(code == .validationFailure ? ExitStatus.usage : code.rawValue)
        }
    }
}

/// The exit codes listed in `--help`.
enum ExitStatus {
    static let usage: Int32 = 1
    static let refused: Int32 = 2
    static let database: Int32 = 3
    static let verifyFailed: Int32 = 4
}
