import Foundation

/// One progress line, redrawn in place on a terminal (rows/s, MB/s, % of the file); silent
/// when standard error is not a terminal, so logs and CI output stay clean.
final class ProgressMeter {
    private let file: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast

    init(file: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.file = file
        self.enabled = enabled
    }

    func update(rows: Int, bytes: Int, totalBytes: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let percent = totalBytes > 0 ? 100 * Double(bytes) / Double(totalBytes) : 100
        let line = String(
            format: "\r%@: %5.1f%%  %.0f rows/s  %.1f MB/s ", file, percent,
            Double(rows) / elapsed, Double(bytes) / elapsed / 1_000_000)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Clears the progress line before the summary is printed.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
