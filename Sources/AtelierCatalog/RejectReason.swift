/// Why a record was not loaded; the raw values are the contract's names, used in reports.
public enum RejectReason: String, Sendable, CaseIterable, Codable, Comparable {
    case fieldCount = "field_count"
    case badInteger = "bad_integer"
    case badBoolean = "bad_boolean"
    case badDate = "bad_date"
    case badNumber = "bad_number"
    case outOfRange = "out_of_range"
    case missingValue = "missing_value"
    case badEncoding = "bad_encoding"
    case duplicateId = "duplicate_id"
    case orphan = "orphan"
    /// Longer than the reader's record limit: an unclosed quote, or a broken export.
    case tooLong = "too_long"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A rejected record: the reason and a short explanation for a person.
public struct Rejection: Error, Sendable, Equatable {
    public let reason: RejectReason
    public let detail: String

    public init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
