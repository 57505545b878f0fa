import PostgresNIO

extension FeedbackQueries {
    /// A kind of PUT as a type, since a prepared statement's SQL and name belong to its type.
    package protocol KindType {
        static var kind: Kind { get }
    }

    package enum HelpfulReview: KindType { package static let kind = Kind(target: .review, action: .helpful) }
    package enum ReportedReview: KindType { package static let kind = Kind(target: .review, action: .report) }
    package enum HelpfulQuestion: KindType { package static let kind = Kind(target: .question, action: .helpful) }
    package enum ReportedQuestion: KindType { package static let kind = Kind(target: .question, action: .report) }
    package enum HelpfulAnswer: KindType { package static let kind = Kind(target: .answer, action: .helpful) }
    package enum ReportedAnswer: KindType { package static let kind = Kind(target: .answer, action: .report) }

    /// A group of PUTs of one kind (`groupSQL`), prepared once per connection and planned once:
    /// a statement run unprepared is parsed and planned on every run, which would cost a vote
    /// more than the grouping saves.
    package struct Group<Of: KindType>: PostgresPreparedStatement {
        package typealias Row = Write.Row

        /// Read on every run: built from strings, not by reflecting the kind's enums.
        package static var name: String { "feedback group \(Of.kind.target.table.rawValue) \(Of.kind.column)" }
        package static var sql: String { groupSQL(Of.kind) }
        package static var bindingDataTypes: [PostgresDataType] { [.int4Array] }

        let ids: [Int32]

        package func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ids)
            return bindings
        }

        package func decodeRow(_ row: PostgresRow) throws -> Row {
            let (id, product, question, count) = try row.decode((Int32, Int32?, Int32?, Int32?).self)
            return Row(id: id, product: product, question: question, count: count)
        }
    }

    /// Runs the group of `kind` for `ids` on `connection`: the rows it changed.
    package static func runGroup(_ kind: Kind, ids: [Int32], on connection: PostgresConnection) async throws -> [Write
        .Row]
    {
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
