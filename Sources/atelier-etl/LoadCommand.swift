import AtelierLoader
import ArgumentParser
import AtelierCommandLine
import Foundation

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load export files (or every export file in a directory), parents first, as one run.",
        discussion: """
            The files of one command are a run, visible whole at one switch or not at all: each
            file is staged beside the live tables, the run is checked as a whole, then one short
            transaction switches every staged table in. Until then the live catalogue is as it
            was; a refused file, a failure or a kill leaves it so, and the same command run again
            finishes the job. The API serves throughout.
            Rejected rows go to <reject-dir>/<table>.rejects.csv with line, reason, detail and record
            (only for files with rejected rows; the summary names the folder).
            A run that would leave live rows of tables it does not load pointing at rows that are
            gone is refused unless --cascade empties those tables. A run that would leave a table
            with fewer than half its rows (a header-only or truncated export, one mostly rejected,
            or a --cascade that empties dependants) is refused unless --allow-shrink is given.
            Loading into empty tables never shrinks.

            Examples:
              atelier-etl load data-samples
              atelier-etl load reviews.csv reviews_photos.csv --report out/report.json
              atelier-etl load --append new-reviews/reviews.csv
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(
        help:
            "Add the rows to the tables instead of replacing them, all files in one transaction; an id already present is a duplicate_id."
    )
    var append = false

    @Flag(
        help:
            "When the run would leave rows of tables it does not load pointing at rows that are gone, empty those tables at the switch instead of refusing."
    )
    var cascade = false

    @Flag(
        name: .customLong("allow-shrink"),
        help: "Let a replace leave a table with fewer than half its rows (refused by default).")
    var allowShrink = false

    @Option(
        name: .customLong("max-record-size"),
        help: "Reject records longer than this as too_long: bytes, or with K, M or G (default 1M, at most 1G).",
        transform: LoadCommand.parseSize)
    var maxRecordSize = LoadOptions.defaultMaxRecordBytes

    @Option(
        help: """
            How many connections stage the files at once (default \(LoadOptions.defaultJobs)); a file starts once \
            its parents are read.
            """)
    var jobs = LoadOptions.defaultJobs

    @Option(help: "Write a JSON report of every file loaded to this path.")
    var report: String?

    @Option(
        name: .customLong("reject-dir"),
        help:
            "Directory for the reject files (default: the report's directory, else $XDG_STATE_HOME/atelier/rejects or ~/.local/state/atelier/rejects)."
    )
    var rejectDirectory: String?

    @Argument(help: "CSV files or directories.")
    var paths: [String]

    func validate() throws {
        if append && cascade { throw ValidationError("--cascade only applies when replacing; drop it or --append") }
        guard (1...LoadOptions.largestJobs).contains(jobs) else {
            throw ValidationError("--jobs must be between 1 and \(LoadOptions.largestJobs)")
        }
        guard (1024...LoadOptions.largestMaxRecordBytes).contains(maxRecordSize) else {
            throw ValidationError("--max-record-size must be between 1K and 1G")
        }
    }

    /// `1048576`, `512K`, `8M`, `1G`: a size in bytes (binary multiples).
    static func parseSize(_ text: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = text.uppercased()
        var unit = 1
        if let last = digits.last, let multiple = units[last] {
            unit = multiple
            digits.removeLast()
        }
        guard let value = Int(digits), value > 0, value <= Int.max / unit else {
            throw ValidationError("'\(text)' is not a size (bytes, or a number with K, M or G)")
        }
        return value * unit
    }

    func run() throws {
        let plan: (files: [String], skipped: [String])
        do {
            plan = try LoadPlan.files(for: paths)
        } catch {
            printError("atelier-etl: \(error)")
            throw ExitCode(ExitStatus.refused)
        }
        for path in plan.skipped { printError("atelier-etl: skipping \(path): not an export file this loader knows") }
        guard !plan.files.isEmpty else {
            printError("atelier-etl: no export files to load in \(paths.joined(separator: " "))")
            throw ExitCode(ExitStatus.refused)
        }

        let reportFolder = report.map { ($0 as NSString).deletingLastPathComponent }.map { $0.isEmpty ? "." : $0 }
        let rejectDirectory = rejectDirectory ?? reportFolder ?? LoadOptions.defaultRejectDirectory
        try? FileManager.default.createDirectory(atPath: rejectDirectory, withIntermediateDirectories: true)
        let loader = RunLoader(
            connection: try connection.connect(),
            options: LoadOptions(
                mode: append ? .append : .replace, cascade: cascade,
                allowShrink: allowShrink, maxRecordBytes: maxRecordSize,
                rejectDirectory: rejectDirectory, jobs: jobs))
        let run = loader.load(files: plan.files)
        var status = run.failure?.exitCode ?? ExitStatus.success
        if let failure = run.failure { printError("atelier-etl: \(failure)") }
        if !run.files.isEmpty { print(SummaryTable.render(run.files), terminator: "") }
        print(run.visibility)
        if run.files.contains(where: { $0.rowsRejected > 0 }) { print("reject files: \(rejectDirectory)") }
        if let report {
            do {
                try Data(run.json.utf8).write(to: URL(fileURLWithPath: report))
            } catch {
                printError("atelier-etl: cannot write the report \(report): \(error.localizedDescription)")
                status = max(status, ExitStatus.refused)
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}
