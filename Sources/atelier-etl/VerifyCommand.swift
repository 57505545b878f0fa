import AtelierDatabase
import AtelierLoader
import ArgumentParser
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
            printError("atelier-etl: verify failed: " + failed.map { "\($0.name) (\($0.detail))" }.joined(separator: "; "))
            throw ExitCode(ExitStatus.verifyFailed)
        }
    }
}

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the SQL schema (the contents of schema/atelier.sql)."
    )

    func run() {
        print(Schema.script, terminator: "")
    }
}
