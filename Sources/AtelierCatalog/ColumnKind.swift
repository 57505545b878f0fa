/// How a CSV field is read, and what it becomes in the database.
public enum ColumnKind: Sendable, Equatable {
    /// The row's own id: an integer from 1 to 2,147,483,647.
    case id
    /// An id of a row in another table, checked to exist.
    case reference(TableName)
    /// An integer from 1 to 2,147,483,647 kept as given, not checked against any table.
    case integer
    /// A non-negative integer (helpful, helpfulness, quantity).
    case count
    /// An integer from 1 to 5 (ratings, characteristic values).
    case rating
    case boolean
    /// Epoch milliseconds, `YYYY-MM-DD` or ISO 8601, stored as UTC.
    case date
    /// A decimal amount with two decimals; spaces and a leading `$` are allowed.
    case money
    /// UTF-8 text without NUL bytes, kept exactly as written.
    case text

    /// The PostgreSQL type the column is stored as.
    public var sqlType: String {
        switch self {
        case .id, .reference, .integer, .count: "integer"
        case .rating: "smallint"
        case .boolean: "boolean"
        case .date: "timestamp with time zone"
        case .money: "numeric(12,2)"
        case .text: "text"
        }
    }

    /// The table this column points at, if it is a checked reference.
    public var referencedTable: TableName? {
        if case .reference(let table) = self { table } else { nil }
    }
}
