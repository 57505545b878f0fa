import Foundation

/// How a load treats the tables it writes.
public struct LoadOptions: Sendable {
    public enum Mode: String, Sendable {
        /// The file's rows replace the table's rows.
        case replace
        /// The file's rows are added; an id already in the table is a `duplicate_id`.
        case append
    }

    /// The default record limit: 1 MiB.
    public static let defaultMaxRecordBytes = 1 << 20
    /// The highest record limit: PostgreSQL's largest field value.
    public static let largestMaxRecordBytes = 1 << 30

    public var mode: Mode
    /// Whether replacing a table may empty the tables whose rows it would orphan.
    public var cascade: Bool
    /// Whether a replace may shrink a table drastically (see `ShrinkGuard`).
    public var allowShrink: Bool
    /// Records longer than this are rejected as `too_long`.
    public var maxRecordBytes: Int
    /// Where `<table>.rejects.csv` files are written.
    public var rejectDirectory: String
    /// How many connections stage a replacing run's files at once.
    public var jobs: Int

    /// The default `jobs`; docs/benchmarks.md has the measurements behind it.
    public static let defaultJobs = 2
    /// The most connections a run opens: one per file.
    public static let largestJobs = 14

    /// Where reject files go unless told: the user's state folder (`$XDG_STATE_HOME/atelier/rejects`,
    /// else `~/.local/state/atelier/rejects`), never the current folder, so that a load run from a
    /// checkout leaves nothing in it.
    public static var defaultRejectDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let state =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
        return (state as NSString).appendingPathComponent("atelier/rejects")
    }

    public init(
        mode: Mode = .replace, cascade: Bool = false, allowShrink: Bool = false,
        maxRecordBytes: Int = LoadOptions.defaultMaxRecordBytes,
        rejectDirectory: String = LoadOptions.defaultRejectDirectory, jobs: Int = LoadOptions.defaultJobs
    ) {
        self.jobs = jobs
        self.mode = mode
        self.cascade = cascade
        self.allowShrink = allowShrink
        self.maxRecordBytes = maxRecordBytes
        self.rejectDirectory = rejectDirectory
    }
}
