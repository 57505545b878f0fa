/// A field read as its column's kind, ready for the COPY writer.
public enum FieldValue: Equatable {
    case null
    case int32(Int32)
    case int16(Int16)
    case bool(Bool)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    /// An amount in cents.
    case money(Int64)
    /// Bytes of the current record, valid until the reader moves on.
    case text(UnsafeRawBufferPointer)

    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.int32(let a), .int32(let b)): a == b
        case (.int16(let a), .int16(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.timestamp(let a), .timestamp(let b)): a == b
        case (.money(let a), .money(let b)): a == b
        case (.text(let a), .text(let b)): a.elementsEqual(b)
        default: false
        }
    }
}
