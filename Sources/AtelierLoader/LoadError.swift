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

    /// The database failed while loading `file`.
    init(_ error: DatabaseError, file: String) {
        self = .database(file: file, error)
    }

    /// The file could not be read.
    init(_ error: CSVReadError) {
        self = .refused("\(error.path): cannot read: \(error.message)")
    }

    /// The file's header does not describe its table.
    init(_ error: HeaderError) {
        self = .refused(error.description)
    }

    /// Runs `work` on the database for the load of `file`, its failure as that file's load error.
    static func onDatabase<Value>(file: String, _ work: () throws(DatabaseError) -> Value) throws(LoadError) -> Value {
        do {
            return try work()
        } catch {
            throw LoadError(error, file: file)
        }
    }
}
