/// One column of an export file and of the table it loads into.
public struct ColumnSpec: Sendable, Equatable {
    /// The database column name (snake_case).
    public let name: String
    public let kind: ColumnKind
    /// Whether `null` or an empty field is stored as SQL NULL rather than rejected.
    public let nullable: Bool
    /// Other header names that mean this column, besides the camelCase/snake_case spellings.
    public let aliases: [String]
    /// Whether the API looks rows up by this column, so it needs an index.
    public let indexed: Bool

    public init(
        _ name: String, _ kind: ColumnKind, nullable: Bool = false, aliases: [String] = [], indexed: Bool? = nil
    ) {
        self.name = name
        self.kind = kind
        self.nullable = nullable
        self.aliases = aliases
        self.indexed = indexed ?? (kind.referencedTable != nil)
    }

    /// Whether the planner needs statistics on this column: the API's queries filter, join,
    /// group and sort on ids, references, flags, ratings, counts and dates, never on text, whose
    /// statistics cost ANALYZE the most (long values to detoast, compare and sort).
    public var needsStatistics: Bool { kind != .text }
}
