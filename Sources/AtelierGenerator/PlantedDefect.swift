import AtelierCatalog

/// A defect class of the data contract, planted in one row of a generated file.
public enum PlantedDefect: String, Sendable, CaseIterable, Codable {
    /// The last field is cut off.
    case truncatedRecord = "truncated_record"
    case badInteger = "bad_integer"
    case badBoolean = "bad_boolean"
    case badDate = "bad_date"
    case badNumber = "bad_number"
    case outOfRange = "out_of_range"
    /// `null` where the column may not be NULL.
    case missingValue = "missing_value"
    /// An invalid UTF-8 sequence in a text field.
    case badEncoding = "bad_encoding"
    /// The row is written twice with the same id.
    case duplicateRow = "duplicate_row"
    /// A reference to a row that does not exist.
    case orphan
    /// The last field's closing quote is missing (photos.csv): the loader repairs it.
    case unclosedQuote = "unclosed_quote"

    /// The tables whose real export has the missing closing quote.
    static let unclosedQuoteTables: Set<String> = ["photos"]

    /// What the loader does with the row itself: its reject reason, or nil when it loads it.
    var rejectReason: RejectReason? {
        switch self {
        case .truncatedRecord: .fieldCount
        case .badInteger: .badInteger
        case .badBoolean: .badBoolean
        case .badDate: .badDate
        case .badNumber: .badNumber
        case .outOfRange: .outOfRange
        case .missingValue: .missingValue
        case .badEncoding: .badEncoding
        case .orphan: .orphan
        case .duplicateRow, .unclosedQuote: nil
        }
    }

    /// The columns of `table` this defect can be planted in (by index); empty when it does not
    /// apply. Row-level defects name the id column. The id itself is never garbled, so every
    /// line still begins like a record (which the quote repair relies on).
    static func columns(of table: TableSpec, for defect: PlantedDefect) -> [Int] {
        let indices = Array(table.columns.indices.dropFirst())
        func those(_ test: (ColumnSpec) -> Bool) -> [Int] { indices.filter { test(table.columns[$0]) } }
        switch defect {
        case .truncatedRecord, .duplicateRow: return [0]
        case .badInteger:
            return those { if case .reference = $0.kind { true } else { [.integer, .count].contains($0.kind) } }
        case .badBoolean: return those { $0.kind == .boolean }
        case .badDate: return those { $0.kind == .date }
        case .badNumber: return those { $0.kind == .money }
        case .outOfRange: return those { $0.kind == .rating }
        case .missingValue: return those { !$0.nullable }
        case .badEncoding: return those { $0.kind == .text }
        case .orphan: return those { $0.kind.referencedTable != nil }
        case .unclosedQuote: return unclosedQuoteTables.contains(table.name) ? [table.columns.count - 1] : []
        }
    }
}

/// Which rows of which tables get a defect: a pure function of (seed, table, id), so a child
/// file can tell whether its parent row loads without reading the parent file.
struct DefectPlan: Sendable {
    let seed: UInt64
    let rate: Double
    /// Per catalogue table: the defects that apply to it, with their candidate columns.
    private let applicable: [[(defect: PlantedDefect, columns: [Int])]]

    init(seed: UInt64, rate: Double) {
        self.seed = seed
        self.rate = rate
        applicable = Catalog.tables.map { table in
            PlantedDefect.allCases.compactMap { defect in
                let columns = PlantedDefect.columns(of: table, for: defect)
                return columns.isEmpty ? nil : (defect, columns)
            }
        }
    }

    /// The defect planted in row `id` of table number `table`, and the column it is in.
    func defect(table: Int, id: Int) -> (defect: PlantedDefect, column: Int)? {
        guard rate > 0 else { return nil }
        var random = RowRandom(seed: seed, stream: RandomStream.defect(table), index: id)
        guard random.chance(rate) else { return nil }
        let choices = applicable[table]
        let choice = choices[random.below(choices.count)]
        return (choice.defect, choice.columns[random.below(choice.columns.count)])
    }

    /// Whether row `id`'s own defect keeps it out of the table.
    func rejects(table: Int, id: Int) -> Bool {
        defect(table: table, id: id)?.defect.rejectReason != nil
    }
}
