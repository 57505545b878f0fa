import AtelierCatalog
import AtelierPostgres
import AtelierSchema

/// Why a run did not load. Each case maps to the exit code the command documents.
public enum LoadError: Error, CustomStringConvertible {
    /// A file, or the run as a whole, cannot be loaded as it is (unreadable, bad header, would
    /// orphan rows or shrink a table): exit 2. Nothing was switched.
    case refused(String)
    /// The database failed or went away during `step` (a file, the check, the switch): exit 3.
    /// Nothing was switched.
    case database(step: String, DatabaseError)
    /// The run was switched in, but tidying after the switch (dropping the replaced tables,
    /// validating keys to tables the run did not load) failed: exit 3. The next run finishes it.
    case afterSwitch(DatabaseError)

    public var exitCode: Int32 {
        switch self {
        case .refused: 2
        case .database, .afterSwitch: 3
        }
    }

    public var description: String {
        switch self {
        case .refused(let message): message
        case .database(let step, let error):
            "\(step): \(error). Nothing was switched: the live catalogue is as it was"
        case .afterSwitch(let error):
            "the run is switched in, but tidying after the switch failed: \(error). The next load (or "
                + "`atelier-etl verify`) names what is left, and the next load finishes it"
        }
    }

    /// The file could not be read.
    init(_ error: CSVReadError) {
        self = .refused("\(error.path): cannot read: \(error.message)")
    }

    /// The file's header does not describe its table.
    init(_ error: HeaderError) {
        self = .refused(error.description)
    }

    /// Runs `work`, one step of a run; a database failure in it becomes that step's error.
    static func during<Value>(_ step: String, _ work: () throws -> Value) throws(LoadError) -> Value {
        do {
            return try work()
        } catch let error as LoadError {
            throw error
        } catch let error as DatabaseError {
            throw .database(step: step, error)
        } catch {
            throw .refused("\(step): \(error)")
        }
    }
}
