/// How the columns of one file's header line up with its table.
public struct HeaderMapping: Sendable, Equatable {
    /// For each table column, the index of the field that holds it.
    public let fieldIndex: [Int]
    /// How many fields the header has; every record must have as many.
    public let fieldCount: Int
    /// Header names that match no column: reported once and ignored.
    public let unknownColumns: [String]

    /// Matches header names to `table`'s columns: spaces and a byte-order mark trimmed, case
    /// ignored, camelCase equal to snake_case, aliases accepted, any order.
    public init(header: [String], table: TableSpec) throws(HeaderError) {
        let keys = header.map(Self.normalize)
        var fieldIndex: [Int] = []
        for column in table.columns {
            let names = Set(([column.name] + column.aliases).map(Self.normalize))
            let matches = keys.indices.filter { names.contains(keys[$0]) }
            guard let first = matches.first else {
                throw HeaderError.missingColumn(column.name, file: table.fileName)
            }
            guard matches.count == 1 else {
                throw HeaderError.repeatedColumn(column.name, file: table.fileName)
            }
            fieldIndex.append(first)
        }
        self.fieldIndex = fieldIndex
        self.fieldCount = header.count
        let used = Set(fieldIndex)
        self.unknownColumns = header.indices.filter { !used.contains($0) }.map { Self.trim(header[$0]) }
    }

    /// The comparison key of a header name: `productId`, ` product_id` and `PRODUCT_ID` agree.
    static func normalize(_ name: String) -> String {
        String(trim(name).lowercased().filter { $0 != "_" })
    }

    static func trim(_ name: String) -> String {
        var scalars = Substring(name).unicodeScalars
        while let first = scalars.first, first == "\u{FEFF}" || first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}

/// Why a file's header cannot be loaded; the whole file is refused.
public enum HeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingColumn(String, file: String)
    case repeatedColumn(String, file: String)
    case noHeader(file: String)

    public var description: String {
        switch self {
        case .missingColumn(let column, let file): "\(file): required column '\(column)' is missing from the header"
        case .repeatedColumn(let column, let file): "\(file): column '\(column)' appears more than once in the header"
        case .noHeader(let file): "\(file): the file is empty (no header line)"
        }
    }
}
