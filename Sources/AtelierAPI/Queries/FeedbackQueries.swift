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
        return update(target, set: "\(column) = r.\(column) + 1", column: column, id: id)
    }

    /// Hides the row from every list and aggregate; nothing is deleted.
    static func report(_ target: Target, id: Int32) -> Write {
        update(target, set: "reported = true", column: "reported", id: id)
    }

    /// Updates `column` of row `id` (as `r`) and returns it with its product and question (`Write`).
    private static func update(_ target: Target, set assignment: String, column: String, id: Int32) -> Write {
        let table = target.table
        let sql =
            switch target {
            case .review:
                "UPDATE \(table) r SET \(assignment) WHERE r.id = $1 RETURNING r.id, r.product_id, NULL::int4"
            case .question:
                "UPDATE \(table) r SET \(assignment) WHERE r.id = $1 RETURNING r.id, r.product_id, r.id"
            case .answer:
                """
                UPDATE \(table) r SET \(assignment) FROM questions q WHERE r.id = $1 AND q.id = r.question_id \
                RETURNING r.id, q.product_id, r.question_id
                """
            }
        return Write(
            query: PostgresQuery(unsafeSQL: sql, binds: binds(id)), tablesWritten: [table], columnsWritten: [column])
    }

    private static func binds(_ id: Int32) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }
}
