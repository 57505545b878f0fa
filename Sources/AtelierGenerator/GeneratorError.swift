/// Why a synthetic export could not be written.
public enum GeneratorError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
