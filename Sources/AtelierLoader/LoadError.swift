import AtelierCatalog
import AtelierPostgres
import AtelierSchema

/// Why a file was not loaded. Each case maps to the exit code the command documents.
public enum LoadError: Error, CustomStringConvertible {
    /// The file cannot be loaded as it is (unreadable, bad header, would orphan rows): exit 2.
    case refused(String)
    /// The database failed or went away: exit 3. The table keeps its previous contents.
    case database(file: String, DatabaseError)

    public var exitCode: Int32 {
        switch self {
        case .refused: 2
        case .database: 3
        }
    }

    public var description: String {
        switch self {
        case .refused(let message): message
        case .database(let file, let error): "\(file): \(error); the table keeps its previous contents"
        }
    }

    /// The load error for whatever stopped the load of `file`.
    init(_ error: any Error, file: String) {
        switch error {
        case let error as LoadError: self = error
        case let error as DatabaseError: self = .database(file: file, error)
        case let error as HeaderError: self = .refused(error.description)
        case let error as CSVReadError: self = .refused("\(error.path): cannot read: \(error.message)")
        default: self = .refused("\(file): \(error)")
        }
    }
}
