import Logging

/// The server's log lines, as swift-log's `StreamLogHandler` writes them to standard error, but
/// with metadata formatted only when a line is written: Hummingbird gives every request that
/// leaves the cache-hit path a logger with a request id, and `StreamLogHandler` formats its
/// whole metadata on every change, for lines that at the default level are never written.
struct ServerLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        self.init(writingTo: .standardError(label: label))
    }

    /// Writes through `stream`, whose own metadata stays empty.
    init(writingTo stream: StreamLogHandler) {
        self.stream = stream
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        stream.log(event: event)
    }
}
