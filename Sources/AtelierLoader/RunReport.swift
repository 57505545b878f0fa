import AtelierCatalog
import Foundation

/// What a run did: each file's report and how it became visible.
public struct RunReport: Sendable {
    /// How the run ended.
    public enum Outcome: String, Sendable {
        /// A replacing run's tables were switched in, all at once.
        case switched
        /// An appending run's rows were committed, all at once.
        case appended
        /// A file or the run as a whole was refused: nothing is visible.
        case refused
        /// The database failed before the switch: nothing is visible.
        case failed
        /// Switched in, but tidying after the switch failed (the next run finishes it).
        case switchedUntidy = "switched_untidy"
    }

    public var outcome: Outcome
    /// The files staged (or appended) so far, in load order.
    public var files: [FileReport]
    /// The switch, when the run got that far.
    public var switched: SwitchReport?
    /// Why the run stopped, unless it finished.
    public var failure: LoadError?

    public init(outcome: Outcome, files: [FileReport], switched: SwitchReport? = nil, failure: LoadError? = nil) {
        self.outcome = outcome
        self.files = files
        self.switched = switched
        self.failure = failure
    }

    /// The `--report` document: `{"files":[…],"outcome":"switched","switch":{…}}`.
    public var json: String { JSONDocument.encode(Document(self)) }

    /// The line under the summary table that says what became visible.
    public var visibility: String {
        switch outcome {
        case .switched, .switchedUntidy:
            guard let switched else { return "" }
            let emptied = switched.emptied.isEmpty ? "" : ", emptied \(switched.emptied.joined(separator: ", "))"
            return String(
                format: "switched in %d tables at once%@: locks held %.3f s (%d attempt%@)", switched.tables.count,
                emptied, switched.lockSeconds, switched.attempts, switched.attempts == 1 ? "" : "s")
        case .appended: return "appended in one transaction"
        case .refused, .failed: return "nothing switched: the live catalogue is as it was"
        }
    }

    private struct Document: Encodable {
        let files: [FileReport.Entry]
        let outcome: String
        let switched: SwitchReport.Entry?

        init(_ report: RunReport) {
            files = report.files.map(FileReport.Entry.init)
            outcome = report.outcome.rawValue
            switched = report.switched.map(SwitchReport.Entry.init)
        }

        enum CodingKeys: String, CodingKey {
            case files, outcome
            case switched = "switch"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(files, forKey: .files)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(switched, forKey: .switched)
        }
    }
}

/// The one short transaction that made a run visible.
public struct SwitchReport: Sendable, Equatable {
    /// The tables moved in, in load order.
    public var tables: [String]
    /// The tables emptied at the switch (`--cascade`).
    public var emptied: [String]
    /// From the moment every lock was granted to the commit: how long readers and writers of
    /// those tables waited for the switch itself.
    public var lockSeconds: Double
    /// The whole switch, waiting for its locks included.
    public var seconds: Double
    /// How many times the switch asked for its locks (each try gives up after a short wait).
    public var attempts: Int

    struct Entry: Encodable {
        let tables: [String]
        let emptied: [String]
        let lockSeconds: Double
        let seconds: Double
        let attempts: Int

        init(_ report: SwitchReport) {
            tables = report.tables
            emptied = report.emptied
            lockSeconds = (report.lockSeconds * 1_000_000).rounded() / 1_000_000
            seconds = (report.seconds * 1000).rounded() / 1000
            attempts = report.attempts
        }

        enum CodingKeys: String, CodingKey {
            case tables, emptied, seconds, attempts
            case lockSeconds = "lock_seconds"
        }
    }
}
