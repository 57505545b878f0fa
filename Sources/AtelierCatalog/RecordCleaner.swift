/// Turns a CSV record into the typed values of one table row, or a rejection with its reason:
/// the cleaning rules of the data contract in one place.
///
/// Checks run in this order: record length, field count, encoding, each column's kind in column order,
/// duplicate id, then references. An id counts as seen only once its row is accepted, so the
/// first *valid* row with an id wins.
public struct RecordCleaner {
    public let table: TableSpec
    public let mapping: HeaderMapping
    /// The current row's values, one per table column, after a successful `clean`.
    public private(set) var values: [FieldValue]
    /// Ids accepted so far (and, when appending, those already in the table).
    public private(set) var seenIds: IdSet
    /// For each reference column, its index and the ids that exist in its parent table.
    private let parentIds: [(column: Int, ids: IdSet)]
    /// Per column: the field it comes from and how to read it, without the column's strings,
    /// so the per-row loop copies nothing that needs reference counting.
    private let plan: [(field: Int, column: ColumnPlan)]

    /// - Parameters:
    ///   - existingIds: ids that already count as taken (the table's rows when appending).
    ///   - parentIds: for each parent table, every id it holds.
    public init(table: TableSpec, mapping: HeaderMapping, existingIds: IdSet = IdSet(), parentIds: [TableName: IdSet]) {
        self.table = table
        self.mapping = mapping
        self.values = Array(repeating: .null, count: table.columns.count)
        self.seenIds = existingIds
        self.parentIds = table.columns.indices.compactMap { index in
            table.columns[index].kind.referencedTable.map { (index, parentIds[$0] ?? IdSet()) }
        }
        self.plan = table.columns.indices.map { (mapping.fieldIndex[$0], ColumnPlan(table.columns[$0])) }
    }

    /// Reads the reader's current record into `values`; returns why it is rejected, or nil.
    public mutating func clean(_ record: CSVRecordReader) -> Rejection? {
        if record.isTooLong {
            return Rejection(
                .tooLong,
                "the record runs \(record.tooLongRecordBytes) bytes, over the limit of "
                    + "\(record.maxRecordBytes); reading went on at the next line that starts like a record")
        }
        guard record.fieldCount == mapping.fieldCount else {
            return Rejection(.fieldCount, "\(record.fieldCount) fields, the header has \(mapping.fieldCount)")
        }
        // Fields are the record's text cut at, or stripped of, ASCII bytes, so a valid record
        // holds valid fields: one pass over its text, and one per field only to name a bad one.
        if !isValidTextEncoding(record.rawRecord) {
            for index in 0..<record.fieldCount {
                if let bytes = record.field(index), !isValidTextEncoding(bytes) {
                    return Rejection(.badEncoding, "field \(index + 1) is not valid UTF-8 or holds a NUL byte")
                }
            }
        }
        for (index, step) in plan.enumerated() {
            let bytes = record.field(step.field) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            guard let value = Self.read(bytes, as: step.column) else {
                return Self.rejection(bytes, column: table.columns[index])
            }
            values[index] = value
        }
        guard case .int32(let id) = values[0] else { return Rejection(.missingValue, "id is empty") }
        if seenIds.contains(id) {
            return Rejection(.duplicateId, "id \(id) was already loaded")
        }
        for (index, ids) in parentIds {
            guard case .int32(let parent) = values[index] else { continue }
            if !ids.contains(parent) {
                let column = table.columns[index]
                return Rejection(
                    .orphan,
                    "\(column.name) \(parent): no such row in \(column.kind.referencedTable.map(\.rawValue) ?? "")")
            }
        }
        seenIds.insert(id)
        return nil
    }

    /// Reads one field as its column's kind (the hot path); nil when it cannot be read.
    @inline(__always)
    static func read(_ bytes: UnsafeRawBufferPointer, as column: ColumnPlan) -> FieldValue? {
        if FieldReader.isNull(bytes) { return column.nullable ? .null : nil }
        switch column.reader {
        case .positive:
            guard let value = FieldReader.integer(bytes), value >= 1 else { return nil }
            return .int32(Int32(value))
        case .natural:
            // A reference of 0 reads, but names no row: it is an orphan, not a malformed number.
            return FieldReader.integer(bytes).map { .int32(Int32($0)) }
        case .rating:
            guard let value = FieldReader.integer(bytes, maximum: 5), value >= 1 else { return nil }
            return .int16(Int16(value))
        case .boolean: return FieldReader.boolean(bytes).map { .bool($0) }
        case .date: return FieldReader.date(bytes).map { .timestamp($0) }
        case .money: return FieldReader.money(bytes).map { .money($0) }
        case .text: return .text(bytes)
        }
    }

    /// Why `bytes` could not be read as `column`: for the reject file, off the hot path.
    static func rejection(_ bytes: UnsafeRawBufferPointer, column: ColumnSpec) -> Rejection {
        if FieldReader.isNull(bytes) { return Rejection(.missingValue, "\(column.name) is empty") }
        let shown = String(decoding: bytes.prefix(40), as: UTF8.self)
        let reason: RejectReason
        switch column.kind {
        case .id, .reference, .integer, .count: reason = .badInteger
        case .rating:
            if let value = FieldReader.integer(bytes, maximum: 999_999) {
                return Rejection(.outOfRange, "\(column.name) \(value) is outside 1–5")
            }
            reason = .badInteger
        case .boolean: reason = .badBoolean
        case .date: reason = .badDate
        case .money: reason = .badNumber
        case .text: reason = .missingValue  // text fails only when empty, answered above
        }
        return Rejection(reason, "\(column.name) '\(shown)' is not a valid \(column.kind.description)")
    }
}

/// A column reduced to what reading a field needs: plain values, cheap to copy per row.
struct ColumnPlan {
    /// `positive`: 1 and up (ids); `natural`: 0 and up (counts, and references, whose 0 is an orphan).
    enum Reader { case positive, natural, rating, boolean, date, money, text }

    let reader: Reader
    let nullable: Bool

    init(_ column: ColumnSpec) {
        nullable = column.nullable
        switch column.kind {
        case .id, .integer: reader = .positive
        case .reference, .count: reader = .natural
        case .rating: reader = .rating
        case .boolean: reader = .boolean
        case .date: reader = .date
        case .money: reader = .money
        case .text: reader = .text
        }
    }
}

extension ColumnKind: CustomStringConvertible {
    public var description: String {
        switch self {
        case .id: "id"
        case .reference(let table): "reference to \(table)"
        case .integer: "integer"
        case .count: "count"
        case .rating: "rating"
        case .boolean: "boolean"
        case .date: "date"
        case .money: "amount"
        case .text: "text"
        }
    }
}
