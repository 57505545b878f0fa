import NIOConcurrencyHelpers

/// What one request knows of its client's writes: the WAL position of the client's last write
/// (from its cookie), and the position just past a write this request makes, for the answer's
/// cookie. Bound for the request's task by `ReadYourWrites`.
package final class ClientPosition: Sendable {
    @TaskLocal package static var current: ClientPosition?

    package let written: LSN?
    private let wrote = NIOLockedValueBox<LSN?>(nil)

    package init(written: LSN?) {
        self.written = written
    }

    /// The position just past this request's write.
    package var newWrite: LSN? { wrote.withLockedValue { $0 } }

    package func recordWrite(at position: LSN) {
        wrote.withLockedValue { $0 = max($0 ?? position, position) }
    }
}
