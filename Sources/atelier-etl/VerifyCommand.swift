import AtelierPostgres
import AtelierSchema
import AtelierLoader
import ArgumentParser
import AtelierCommandLine
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the database is consistent and ready to serve.",
        discussion: """
            Checks every table and its columns, primary and foreign keys and lookup indexes,
            orphaned references, id sequences past the largest id, and each table's row count
            against the count its last load left. Exits 4 naming each failed check.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print the checks as JSON.")
    var json = false

    func run() throws {
        let checks: [Verifier.Check]
        do {
            checks = try Verifier(connection: try connection.connect()).run()
        } catch let error as DatabaseError {
            printError("atelier-etl: \(error)")
            throw ExitCode(ExitStatus.database)
        }
        print(json ? VerifyReport.json(checks) : VerifyReport.table(checks), terminator: "")
        let failed = checks.filter { !$0.passed }
        guard failed.isEmpty else {
            printError(
                "atelier-etl: verify failed: " + failed.map { "\($0.name) (\($0.detail))" }.joined(separator: "; "))
            throw ExitCode(ExitStatus.verifyFailed)
        }
    }
}

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the SQL schema (the contents of schema/atelier.sql).",
        discussion: """
            With --baseline DIR, print instead the plain-SQL route that `make bench-etl` times \
            the loader against: bare tables, psql \\copy of each file in DIR, then the same \
            keys, indexes and foreign keys, then ANALYZE.
            """
    )

    @Option(help: "Print the plain-SQL baseline script for the export files in this directory.")
    var baseline: String?

    func run() {
        print(baseline.map { Schema.baselineScript(directory: $0) } ?? Schema.script, terminator: "")
    }
}
