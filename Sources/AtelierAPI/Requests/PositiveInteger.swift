/// A decimal integer ≥ 1 as a client wrote it, of any length: `count=9007199254740991`, or even
/// longer, is still a positive integer (served as the largest count), while `-1`, `1.5`, `+2`,
/// ` 3` and `0` are not.
struct PositiveInteger: Sendable, Equatable {
    /// The value, or nil when it does not fit in an `Int`.
    let value: Int?

    init?(_ text: some StringProtocol) {
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let value = Int(text)
        guard value.map({ $0 >= 1 }) ?? digits.contains(where: { $0 != UInt8(ascii: "0") }) else { return nil }
        self.value = value
    }

    func fits(atMost limit: Int) -> Bool { value.map { $0 <= limit } ?? false }

    func clamped(to limit: Int) -> Int { min(value ?? limit, limit) }
}
