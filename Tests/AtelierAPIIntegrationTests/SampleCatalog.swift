import AtelierCatalog
import AtelierTestSupport
import Foundation

/// The rows of data-samples/ that a load keeps, read from the CSV files with the catalogue's
/// cleaner (whose exact outcomes the loader tests assert), so that every expected answer of the
/// API tests is derived from the sample files, never from the server.
struct SampleCatalog: Sendable {
    /// One row: column name → value.
    struct Row: Sendable {
        var values: [String: Cell]

        func int(_ column: String) -> Int {
            guard case .int(let value) = values[column] else { fatalError("\(column) is not an integer") }
            return value
        }

        func bool(_ column: String) -> Bool {
            guard case .bool(let value) = values[column] else { fatalError("\(column) is not a boolean") }
            return value
        }

        /// Text, or nil for NULL.
        func text(_ column: String) -> String? {
            switch values[column] {
            case .text(let value): value
            case .null: nil
            default: fatalError("\(column) is not text")
            }
        }

        /// A date in microseconds since the epoch.
        func micros(_ column: String) -> Int64 {
            guard case .micros(let value) = values[column] else { fatalError("\(column) is not a date") }
            return value
        }

        /// Money in cents, or nil for NULL.
        func cents(_ column: String) -> Int64? {
            switch values[column] {
            case .cents(let value): value
            case .null: nil
            default: fatalError("\(column) is not money")
            }
        }
    }

    enum Cell: Sendable, Equatable {
        case null, int(Int), bool(Bool), text(String), micros(Int64), cents(Int64)
    }

    /// Table name → its kept rows, in file order.
    var tables: [String: [Row]]

    subscript(table: String) -> [Row] {
        get { tables[table] ?? [] }
        set { tables[table] = newValue }
    }

    /// Reads every file of `folder` in load order, keeping the rows the loader keeps.
    static func read(_ folder: String = Repository.samples) throws -> SampleCatalog {
        var tables: [String: [Row]] = [:]
        var ids: [TableName: IdSet] = [:]
        for table in Catalog.tables {
            let reader = try CSVRecordReader(path: folder + "/" + table.fileName)
            guard try reader.next() else { continue }
            let mapping = try HeaderMapping(header: reader.fieldStrings(), table: table)
            reader.expectedFieldCount = mapping.fieldCount
            var cleaner = RecordCleaner(table: table, mapping: mapping, parentIds: ids)
            var rows: [Row] = []
            while try reader.next() {
                guard cleaner.clean(reader) == nil else { continue }
                var values: [String: Cell] = [:]
                for (column, value) in zip(table.columns, cleaner.values) {
                    values[column.name] = Self.cell(value)
                }
                rows.append(Row(values: values))
            }
            tables[table.name] = rows
            ids[table.tableName] = cleaner.seenIds
        }
        return SampleCatalog(tables: tables)
    }

    private static func cell(_ value: FieldValue) -> Cell {
        switch value {
        case .null: .null
        case .int32(let value): .int(Int(value))
        case .int16(let value): .int(Int(value))
        case .bool(let value): .bool(value)
        case .timestamp(let value): .micros(value)
        case .money(let value): .cents(value)
        case .text(let bytes): .text(String(decoding: bytes, as: UTF8.self))
        }
    }
}
