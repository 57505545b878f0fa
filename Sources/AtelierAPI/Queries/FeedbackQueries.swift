import AtelierCatalog
import PostgresNIO

/// `PUT …/helpful` and `PUT …/report` on reviews, questions and answers: one atomic statement
/// each, returning a row only when the id exists. Table and column names come from `Target`;
/// the id is the only value, and it is bound.
enum FeedbackQueries {
    /// What a PUT can be about.
    enum Target: Sendable {
        case review, question, answer

        var table: TableName {
            switch self {
            case .review: .reviews
            case .question: .questions
            case .answer: .answers
            }
        }

        var helpfulnessColumn: String { self == .review ? "helpfulness" : "helpful" }
    }

    /// Adds exactly one to the helpfulness; concurrent PUTs each count, as the row lock
    /// serialises the increments.
    static func markHelpful(_ target: Target, id: Int32) -> Write {
        let column = target.helpfulnessColumn
        return Write(
            query: PostgresQuery(
                unsafeSQL: "UPDATE \(target.table) SET \(column) = \(column) + 1 WHERE id = $1 RETURNING id",
                binds: binds(id)), tablesWritten: [target.table])
    }

    /// Hides the row from every list and aggregate; nothing is deleted.
    static func report(_ target: Target, id: Int32) -> Write {
        Write(
            query: PostgresQuery(
                unsafeSQL: "UPDATE \(target.table) SET reported = true WHERE id = $1 RETURNING id", binds: binds(id)),
            tablesWritten: [target.table])
    }

    private static func binds(_ id: Int32) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }
}
