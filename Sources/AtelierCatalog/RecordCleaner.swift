/// Turns a CSV record into the typed values of one table row, or a rejection with its reason:
/// the cleaning rules of the data contract in one place.
///
/// Checks run in this order: field count, encoding, each column's kind in column order,
/// duplicate id, then references. An id counts as seen only once its row is accepted, so the
/// first *valid* row with an id wins.
public struct RecordCleaner {
    public let table: TableSpec
    public let mapping: HeaderMapping
    /// The current row's values, one per table column, after a successful `clean`.
    public private(set) var values: [FieldValue]
    /// Ids accepted so far (and, when appending, those already in the table).
    public private(set) var seenIds: IdSet
    /// For each reference column (by column index), the ids that exist in its parent table.
    private let parentIds: [Int: IdSet]

    /// - Parameters:
    ///   - existingIds: ids that already count as taken (the table's rows when appending).
    ///   - parentIds: for each parent table name, every id it holds.
    public init(table: TableSpec, mapping: HeaderMapping, existingIds: IdSet = IdSet(), parentIds: [String: IdSet]) {
        self.table = table
        self.mapping = mapping
        self.values = Array(repeating: .null, count: table.columns.count)
        self.seenIds = existingIds
        var byColumn: [Int: IdSet] = [:]
        for (index, column) in table.columns.enumerated() {
            if let parent = column.kind.referencedTable {
                byColumn[index] = parentIds[parent] ?? IdSet()
            }
        }
        self.parentIds = byColumn
    }

    /// Reads the reader's current record into `values`; returns why it is rejected, or nil.
    public mutating func clean(_ record: CSVRecordReader) -> Rejection? {
        guard record.fieldCount == mapping.fieldCount else {
            return Rejection(.fieldCount, "\(record.fieldCount) fields, the header has \(mapping.fieldCount)")
        }
        for index in 0..<record.fieldCount {
            if let bytes = record.field(index), !isValidTextEncoding(bytes) {
                return Rejection(.badEncoding, "field \(index + 1) is not valid UTF-8 or holds a NUL byte")
            }
        }
        for (index, column) in table.columns.enumerated() {
            let bytes = record.field(mapping.fieldIndex[index]) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            switch Self.read(bytes, as: column) {
            case .success(let value): values[index] = value
            case .failure(let rejection): return rejection
            }
        }
        guard case .int32(let id) = values[0] else { return Rejection(.missingValue, "id is empty") }
        if seenIds.contains(id) {
            return Rejection(.duplicateId, "id \(id) was already loaded")
        }
        for (index, ids) in parentIds {
            guard case .int32(let parent) = values[index] else { continue }
            if !ids.contains(parent) {
                let column = table.columns[index]
                return Rejection(.orphan, "\(column.name) \(parent): no such row in \(column.kind.referencedTable ?? "")")
            }
        }
        seenIds.insert(id)
        return nil
    }

    /// Reads one field as `column`'s kind.
    public static func read(_ bytes: UnsafeRawBufferPointer, as column: ColumnSpec) -> Result<FieldValue, Rejection> {
        if FieldReader.isNull(bytes) {
            return column.nullable ? .success(.null) : .failure(Rejection(.missingValue, "\(column.name) is empty"))
        }
        switch column.kind {
        case .id, .integer:
            guard let value = FieldReader.integer(bytes), value >= 1 else { return .failure(bad(.badInteger, column, bytes)) }
            return .success(.int32(Int32(value)))
        case .reference:
            // 0 parses but names no row: it is an orphan, not a malformed number.
            guard let value = FieldReader.integer(bytes) else { return .failure(bad(.badInteger, column, bytes)) }
            return .success(.int32(Int32(value)))
        case .count:
            guard let value = FieldReader.integer(bytes) else { return .failure(bad(.badInteger, column, bytes)) }
            return .success(.int32(Int32(value)))
        case .rating:
            guard let value = FieldReader.integer(bytes, maximum: 999_999) else { return .failure(bad(.badInteger, column, bytes)) }
            guard (1...5).contains(value) else {
                return .failure(Rejection(.outOfRange, "\(column.name) \(value) is outside 1–5"))
            }
            return .success(.int16(Int16(value)))
        case .boolean:
            guard let value = FieldReader.boolean(bytes) else { return .failure(bad(.badBoolean, column, bytes)) }
            return .success(.bool(value))
        case .date:
            guard let value = FieldReader.date(bytes) else { return .failure(bad(.badDate, column, bytes)) }
            return .success(.timestamp(value))
        case .money:
            guard let value = FieldReader.money(bytes) else { return .failure(bad(.badNumber, column, bytes)) }
            return .success(.money(value))
        case .text:
            return .success(.text(bytes))
        }
    }

    private static func bad(_ reason: RejectReason, _ column: ColumnSpec, _ bytes: UnsafeRawBufferPointer) -> Rejection {
        let shown = String(decoding: bytes.prefix(40), as: UTF8.self)
        return Rejection(reason, "\(column.name) '\(shown)' is not a valid \(column.kind.description)")
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
