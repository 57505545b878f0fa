import Foundation

/// A run's callbacks, called from whichever connection's thread has news, one call at a time.
final class RunHooks: @unchecked Sendable {
    private let lock = NSLock()
    private let warnHandler: (String) -> Void
    private let chunkHandler: ((Int) -> Void)?
    private let fileHandler: ((FileReport) -> Void)?

    init(warn: @escaping (String) -> Void, chunkSent: ((Int) -> Void)?, fileLoaded: ((FileReport) -> Void)?) {
        warnHandler = warn
        chunkHandler = chunkSent
        fileHandler = fileLoaded
    }

    /// A note for a person.
    func warn(_ note: String) { lock.withLock { warnHandler(note) } }

    /// A chunk of a file was sent; `bytesRead`: how far into the file.
    func chunkSent(_ bytesRead: Int) {
        guard let chunkHandler else { return }
        lock.withLock { chunkHandler(bytesRead) }
    }

    /// A file's table is staged (or its rows appended).
    func fileStaged(_ report: FileReport) {
        guard let fileHandler else { return }
        lock.withLock { fileHandler(report) }
    }
}
