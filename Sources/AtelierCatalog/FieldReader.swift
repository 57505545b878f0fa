/// Reads one field as a column kind, following the data contract's table of field kinds.
/// Every function takes the field's bytes and returns nil when they cannot be read.
public enum FieldReader {
    /// Whether the field means SQL NULL: empty, or the word `null` in any case.
    @inlinable
    public static func isNull(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let field = trimmed(bytes)
        if field.isEmpty { return true }
        guard field.count == 4 else { return false }
        return field[0] | 0x20 == 0x6E && field[1] | 0x20 == 0x75 && field[2] | 0x20 == 0x6C && field[3] | 0x20 == 0x6C
    }

    /// A decimal integer (no sign) not above `maximum`.
    @inlinable
    public static func integer(_ bytes: UnsafeRawBufferPointer, maximum: Int64 = Int64(Int32.max)) -> Int64? {
        let field = trimmed(bytes)
        guard !field.isEmpty, field.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in field {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value <= maximum ? value : nil
    }

    /// true/false, t/f, 1/0, yes/no, in any case.
    public static func boolean(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        let field = trimmed(bytes)
        guard field.count <= 5 else { return nil }
        var lowered: UInt64 = 0
        for byte in field { lowered = lowered << 8 | UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        switch lowered {
        case 0x74, 0x31, 0x74_7275_65, 0x79_6573: return true  // t 1 true yes
        case 0x66, 0x30, 0x66_616C_7365, 0x6E_6F: return false  // f 0 false no
        default: return nil
        }
    }

    /// A decimal amount in cents: spaces and a leading `$` allowed, rounded half up to cents,
    /// at most ten digits before the point (numeric(12,2)).
    public static func money(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var field = trimmed(bytes)
        if field.first == 0x24 { field = trimmed(UnsafeRawBufferPointer(rebasing: field.dropFirst())) }
        guard !field.isEmpty else { return nil }
        var whole: Int64 = 0, wholeDigits = 0, cents: Int64 = 0, fractionDigits = 0
        var roundUp = false, seenPoint = false
        for byte in field {
            if byte == 0x2E {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let digit = Int64(byte - 0x30)
            if !seenPoint {
                wholeDigits += 1
                guard wholeDigits <= 18 else { return nil }
                whole = whole * 10 + digit
            } else {
                fractionDigits += 1
                if fractionDigits <= 2 {
                    cents = cents * 10 + digit
                } else if fractionDigits == 3 {
                    roundUp = digit >= 5
                }
            }
        }
        guard wholeDigits + fractionDigits > 0, whole < 10_000_000_000 else { return nil }
        if fractionDigits == 1 { cents *= 10 }
        let total = whole * 100 + cents + (roundUp ? 1 : 0)
        return total < 1_000_000_000_000 ? total : nil
    }

    /// Epoch milliseconds, `YYYY-MM-DD`, or ISO 8601 (`YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`),
    /// as microseconds since the Unix epoch; years 1 to 9999.
    public static func date(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let field = trimmed(bytes)
        guard !field.isEmpty else { return nil }
        if field.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard let millis = integer(field, maximum: CivilDate.maximumMillis) else { return nil }
            return millis * 1000
        }
        return CivilDate.parseISO8601(field)
    }

    @inlinable
    public static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }
}
