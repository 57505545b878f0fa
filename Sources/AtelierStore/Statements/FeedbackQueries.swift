import AtelierCatalog
import PostgresNIO

/// `PUT …/helpful` and `PUT …/report` on reviews, questions and answers: one atomic statement
/// each, returning a row only when the id exists; or one prepared statement for a group of such
/// PUTs of one kind (`Group`, `APIDatabase.feedback`). Table and column names come from `Target`
/// and `Action`; the ids are the only values, and they are bound.
package enum FeedbackQueries {
    /// What a PUT can be about.
    package enum Target: Sendable, Hashable {
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

    /// What a PUT does to its row.
    package enum Action: Sendable, Hashable {
        /// Adds exactly one to the helpfulness; concurrent PUTs each count, as the row lock
        /// serialises the increments.
        case helpful
        /// Hides the row from every list and aggregate; nothing is deleted.
        case report
    }

    /// One kind of PUT: only these share a group.
    package struct Kind: Sendable, Hashable {
        let target: Target
        let action: Action

        package init(target: Target, action: Action) {
            self.target = target
            self.action = action
        }

        /// The column it sets.
        var column: String { action == .helpful ? target.helpfulnessColumn : "reported" }
    }

    /// One PUT's statement: it waits for the row's lock like any UPDATE.
    package static func single(_ kind: Kind, id: Int32) -> Write {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return Write(
            query: PostgresQuery(
                unsafeSQL: sql(kind, rows: "(SELECT $1::int4 AS id, 1 AS times) v", guarded: false), binds: bindings),
            tablesWritten: [kind.target.table], columnsWritten: [kind.column])
    }

    /// The SQL of a group of PUTs of `kind`, the ids as `$1`, an id named n times counting n
    /// times (`Group`). It leaves out the rows another transaction holds locked (`SKIP LOCKED`,
    /// so a group never waits for, or deadlocks on, one row) and, for a helpful vote, the rows it
    /// would take past int4: for those ids, as for ids that name nothing, it returns no row, and
    /// each such PUT runs alone (`single`) and meets that row's fate by itself.
    package static func groupSQL(_ kind: Kind) -> String {
        let rows = """
            (SELECT a.id, count(*)::int4 AS times FROM unnest($1::int4[]) AS a(id) \
            WHERE a.id IN (SELECT t.id FROM \(kind.target.table) t WHERE t.id = ANY($1::int4[]) FOR UPDATE SKIP LOCKED) \
            GROUP BY a.id) v
            """
        return sql(kind, rows: rows, guarded: true)
    }

    /// Updates the rows of `rows` (`v`: `id`, `times` asked) as `r`, and returns each with its
    /// product and question (`Write`), and in a group its new helpfulness.
    private static func sql(_ kind: Kind, rows: String, guarded: Bool) -> String {
        let table = kind.target.table
        let column = kind.column
        let assignment: String
        var conditions = ["r.id = v.id"]
        switch kind.action {
        case .helpful:
            assignment = "\(column) = r.\(column) + v.times"
            if guarded { conditions.append("r.\(column) <= \(Int32.max) - v.times") }
        case .report:
            assignment = "reported = true"
        }
        let sources: String
        let returning: String
        switch kind.target {
        case .review:
            (sources, returning) = (rows, "r.id, r.product_id, NULL::int4")
        case .question:
            (sources, returning) = (rows, "r.id, r.product_id, r.id")
        case .answer:
            (sources, returning) = ("\(rows), questions q", "r.id, q.product_id, r.question_id")
            conditions.append("q.id = r.question_id")
        }
        // A group's rows also carry the helpfulness they now have (`Write.Row.count`).
        let count = guarded ? (kind.action == .helpful ? ", r.\(column)" : ", NULL::int4") : ""
        return """
            UPDATE \(table) r SET \(assignment) FROM \(sources) WHERE \(conditions.joined(separator: " AND ")) \
            RETURNING \(returning)\(count)
            """
    }
}
