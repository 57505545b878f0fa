import AtelierStore
import Foundation

/// What a written text, email address or URL must be before it is stored.
enum FieldRules {
    /// Characters in a reviewer's, asker's or answerer's name.
    static let nameLength = 1...60
    /// Characters in the body of a review, question or answer.
    static let bodyLength = 1...1000
    /// Photos a review or an answer may carry.
    static let maximumPhotos = 5
    static let maximumEmailLength = 60
    static let maximumURLLength = 2048

    /// `length` counts Unicode scalars, as PostgreSQL's `length()` does. NUL cannot be stored in
    /// a `text` column, and no control character belongs in a name or a one-line field, so they
    /// are refused here rather than stored or failing in the database; a `multiline` text (a
    /// body) may hold tabs and line breaks.
    static func checkText(_ value: String, name: String, length: ClosedRange<Int>, multiline: Bool = false)
        throws(APIError)
    {
        let count = value.unicodeScalars.count
        guard length.contains(count) else {
            throw .invalid(
                length.lowerBound == 0
                    ? "\(name) must be at most \(length.upperBound) characters"
                    : "\(name) must be \(length.lowerBound) to \(length.upperBound) characters")
        }
        let allowed: Set<Unicode.Scalar> = multiline ? ["\t", "\n", "\r"] : []
        guard !value.unicodeScalars.contains(where: { isControl($0) && !allowed.contains($0) }) else {
            throw .invalid(
                multiline
                    ? "\(name) must not contain NUL or control characters other than tabs and line breaks"
                    : "\(name) must not contain NUL or control characters")
        }
    }

    /// C0 controls (NUL included), DEL and C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `local@domain.tld`: one `@`, no spaces or control characters, a dot inside the domain
    /// and no empty labels. Deliberately simple: the address is only ever displayed.
    static func isEmailAddress(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty,
            !value.unicodeScalars.contains(where: { $0.properties.isWhitespace || isControl($0) })
        else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    /// An absolute http or https URL with a host, at most 2048 characters, without spaces or
    /// control characters (Foundation's parser lets a NUL through).
    static func isWebURL(_ value: String) -> Bool {
        guard value.unicodeScalars.count <= maximumURLLength,
            !value.unicodeScalars.contains(where: { $0.properties.isWhitespace || isControl($0) }),
            let url = URL(string: value),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return false }
        return true
    }
}
