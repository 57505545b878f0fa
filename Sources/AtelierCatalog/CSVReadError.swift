/// A file that cannot be read at all (as opposed to a bad record, which is rejected).
public struct CSVReadError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public var description: String { "\(path): \(message)" }
}
