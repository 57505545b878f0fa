/// Why the store gave no answer, for the API to turn into a status: it speaks no HTTP.
package enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database cannot be reached, did not answer before the deadline, or refused
    /// transiently (`APIDatabase.meansUnavailable`): try again shortly.
    case unavailable
    /// More requests wait for a database connection than the pool queues: try again shortly.
    case busy
    /// A statement answered in a shape it never should: a bug of ours.
    case unexpectedAnswer(String)

    package var description: String {
        switch self {
        case .unavailable: "the database is unavailable"
        case .busy: "too many requests wait for a database connection"
        case .unexpectedAnswer(let what): "unexpected answer from the database: \(what)"
        }
    }
}
