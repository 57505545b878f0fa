/// How a load treats the tables it writes.
public struct LoadOptions: Sendable {
    public enum Mode: String, Sendable {
        /// The file's rows replace the table's rows.
        case replace
        /// The file's rows are added; an id already in the table is a `duplicate_id`.
        case append
    }

    public var mode: Mode
    /// Whether replacing a table may empty the tables whose rows it would orphan.
    public var cascade: Bool
    /// Where `<table>.rejects.csv` files are written.
    public var rejectDirectory: String

    public init(mode: Mode = .replace, cascade: Bool = false, rejectDirectory: String = ".") {
        self.mode = mode
        self.cascade = cascade
        self.rejectDirectory = rejectDirectory
    }
}
