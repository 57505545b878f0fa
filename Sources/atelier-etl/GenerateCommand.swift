import AtelierGenerator
import ArgumentParser
import AtelierCommandLine
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic export of all 14 files, shaped like the real one, for benchmarks.",
        discussion: """
            The same scale, seed and defect rate always give the same bytes. Scale 1.0 is the \
            real export's size: 1,000,011 products, 70.4 million rows, 6.5 GB (our text runs \
            longer than the real files' 5 GB). --defects plants the data \
            contract's defects in that share of rows, so the cleaner's work is measured too. \
            DIR/generated.json lists, per file, the rows written, the defects planted and what a \
            correct load must report (loaded, repaired, rejected by reason).

            Example:
              atelier-etl generate --scale 0.05 --out /tmp/atelier-0.05 --defects 0.01
            """
    )

    @Option(help: "Size relative to the real export (1.0 = 1,000,011 products).")
    var scale: Double

    @Option(help: "Directory to write the files into (created if missing).")
    var out: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Share of rows given a planted defect, from 0 to 1.")
    var defects: Double = 0

    func validate() throws {
        guard scale > 0, scale <= 30 else { throw ValidationError("--scale must be above 0 and at most 30") }
        guard (0...1).contains(defects) else { throw ValidationError("--defects must be between 0 and 1") }
    }

    func run() throws {
        let started = Date()
        let generator = ExportGenerator(scale: scale, seed: seed, defectRate: defects)
        let files: [GeneratedFile]
        do {
            files = try generator.generate(into: out) { file, seconds in
                printError(
                    String(
                        format: "  %@  %@ rows  %@  %.1f s", file.file, grouped(file.rows), megabytes(file.bytes),
                        seconds))
            }
        } catch {
            printError("atelier-etl: \(error)")
            throw ExitCode(ExitStatus.refused)
        }
        let rows = files.reduce(0) { $0 + $1.rows }, bytes = files.reduce(0) { $0 + $1.bytes }
        let planted = files.reduce(0) { $0 + $1.planted.values.reduce(0, +) }
        print(
            String(
                format: "wrote %@ rows, %@ in %d files to %@ in %.1f s; %@ defects planted (see %@)",
                grouped(rows), megabytes(bytes), files.count, out, Date().timeIntervalSince(started),
                grouped(planted), ExportGenerator.manifestName))
    }
}

/// `3,522,354`: thousands grouped the same way whatever the machine's locale.
private func grouped(_ value: Int) -> String {
    value.formatted(.number.locale(Locale(identifier: "en_US")))
}

private func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
