/// A position in PostgreSQL's write-ahead log (`pg_lsn`, written `16/B374D848`), as a number
/// that compares: how far a replica has replayed, where a write or a marker was.
public struct LSN: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Parses PostgreSQL's text form: two hexadecimal 32-bit halves around a slash.
    public init?(_ text: some StringProtocol) {
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, (1...8).contains(halves[0].count), (1...8).contains(halves[1].count),
            let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16)
        else { return nil }
        value = high << 32 | low
    }

    /// A listener's marker on the change channel, `lsn:X`; nil for any other payload.
    package init?(marker payload: String) {
        guard payload.hasPrefix("lsn:") else { return nil }
        self.init(payload.dropFirst(4))
    }

    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    public static func < (lhs: LSN, rhs: LSN) -> Bool { lhs.value < rhs.value }

    package static let zero = LSN(0)
}
