import PostgresNIO

extension FeedbackQueries {
    /// A kind of PUT as a type, since a prepared statement's SQL and name belong to its type.
    protocol KindType {
        static var kind: Kind { get }
    }

    enum HelpfulReview: KindType { static let kind = Kind(target: .review, action: .helpful) }
    enum ReportedReview: KindType { static let kind = Kind(target: .review, action: .report) }
    enum HelpfulQuestion: KindType { static let kind = Kind(target: .question, action: .helpful) }
    enum ReportedQuestion: KindType { static let kind = Kind(target: .question, action: .report) }
    enum HelpfulAnswer: KindType { static let kind = Kind(target: .answer, action: .helpful) }
    enum ReportedAnswer: KindType { static let kind = Kind(target: .answer, action: .report) }

    /// A group of PUTs of one kind (`groupSQL`), prepared once per connection and planned once:
    /// a statement run unprepared is parsed and planned on every run, which would cost a vote
    /// more than the grouping saves.
    struct Group<Of: KindType>: PostgresPreparedStatement {
        typealias Row = Write.Row

        static var name: String { "feedback group \(Of.kind.action) \(Of.kind.target)" }
        static var sql: String { groupSQL(Of.kind) }
        static var bindingDataTypes: [PostgresDataType] { [.int4Array] }

        let ids: [Int32]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (id, product, question) = try row.decode((Int32, Int32?, Int32?).self)
            return Row(id: id, product: product, question: question)
        }
    }

    /// Runs the group of `kind` for `ids` on `connection`: the rows it changed.
    static func runGroup(_ kind: Kind, ids: [Int32], on connection: PostgresConnection) async throws -> [Write.Row] {
        switch (kind.target, kind.action) {
        case (.review, .helpful): try await run(Group<HelpfulReview>(ids: ids), on: connection)
        case (.review, .report): try await run(Group<ReportedReview>(ids: ids), on: connection)
        case (.question, .helpful): try await run(Group<HelpfulQuestion>(ids: ids), on: connection)
        case (.question, .report): try await run(Group<ReportedQuestion>(ids: ids), on: connection)
        case (.answer, .helpful): try await run(Group<HelpfulAnswer>(ids: ids), on: connection)
        case (.answer, .report): try await run(Group<ReportedAnswer>(ids: ids), on: connection)
        }
    }

    private static func run<Of>(_ group: Group<Of>, on connection: PostgresConnection) async throws -> [Write.Row] {
        var rows: [Write.Row] = []
        for try await row in try await connection.execute(group, logger: connection.logger) { rows.append(row) }
        return rows
    }
}
