import Foundation

/// One progress line for a whole run, redrawn in place on a terminal (% of the run's bytes,
/// MB/s, files staged); silent when standard error is not a terminal, so logs and CI output
/// stay clean. Fed from every connection's thread.
final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private let totalBytes: Int
    private let totalFiles: Int
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var bytes = 0
    private var files = 0

    init(totalBytes: Int, totalFiles: Int, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.totalBytes = totalBytes
        self.totalFiles = totalFiles
        self.enabled = enabled
    }

    /// `read` more bytes of the run's files were read and sent.
    func advance(bytes read: Int) {
        guard enabled else { return }
        lock.withLock {
            bytes += read
            draw()
        }
    }

    /// One more file is done.
    func fileDone() {
        guard enabled else { return }
        lock.withLock {
            files += 1
            draw()
        }
    }

    private func draw() {
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let percent = totalBytes > 0 ? 100 * Double(bytes) / Double(totalBytes) : 100
        let line = String(
            format: "\rstaging: %5.1f%% of %.0f MB, %.1f MB/s, %d of %d files done ", percent,
            Double(totalBytes) / 1_000_000, Double(bytes) / elapsed / 1_000_000, files, totalFiles)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Clears the progress line before the summary is printed.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
