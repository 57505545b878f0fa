/// One export file and the table it loads into: the single description that drives
/// header matching, field reading, reference checks, the schema and verification.
public struct TableSpec: Sendable, Equatable {
    public let tableName: TableName
    /// Columns in the order of the real export's header; the first is the id.
    public let columns: [ColumnSpec]

    public init(_ tableName: TableName, _ columns: [ColumnSpec]) {
        precondition(columns.first?.kind == .id, "the first column of \(tableName) must be its id")
        self.tableName = tableName
        self.columns = columns
    }

    /// The table name as SQL and the files spell it; the export file is `<name>.csv`.
    public var name: String { tableName.rawValue }

    public var fileName: String { "\(name).csv" }

    /// The tables this one references, in column order, without repeats.
    public var parents: [TableName] {
        var seen: [TableName] = []
        for column in columns {
            if let parent = column.kind.referencedTable, !seen.contains(parent) { seen.append(parent) }
        }
        return seen
    }

    /// The columns that reference another table.
    public var references: [(column: ColumnSpec, table: TableName)] {
        columns.compactMap { column in column.kind.referencedTable.map { (column, $0) } }
    }

    public var primaryKeyName: String { "\(name)_pkey" }

    public func foreignKeyName(_ column: ColumnSpec) -> String { "\(name)_\(column.name)_fkey" }

    public func indexName(_ column: ColumnSpec) -> String { "\(name)_\(column.name)_idx" }

    /// The columns that get a secondary index.
    public var indexedColumns: [ColumnSpec] { columns.filter(\.indexed) }
}
