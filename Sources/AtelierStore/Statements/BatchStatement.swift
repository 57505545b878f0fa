import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// Many statements of one kind run as one: `unnest` turns the members' values into rows, one
/// per member, and the member's SQL runs once per row (`CROSS JOIN LATERAL`), reading its `$n`
/// from the row. Each answer comes back with the member's position (from 1); a member whose
/// statement finds no row has none. The database parses, plans and answers once per batch
/// instead of once per request (`StatementBatcher`; figures in docs/benchmarks.md).
package struct BatchStatement<Member: JSONStatement>: PostgresPreparedStatement {
    package typealias Row = (position: Int, body: ByteBuffer)

    package static var name: String { BatchSQL.text(for: Member.self).name }
    package static var sql: String { BatchSQL.text(for: Member.self).sql }
    package static var bindingDataTypes: [PostgresDataType] { Member.parameterKinds.map(\.arrayDataType) }

    /// Each member's values, in the member's order.
    package let members: [[StatementValue]]

    /// One array per parameter.
    package func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: Member.parameterKinds.count)
        for (index, kind) in Member.parameterKinds.enumerated() {
            switch kind {
            case .int4: bindings.append(try column(index, \.int4))
            case .int8: bindings.append(try column(index, \.int8))
            case .bool: bindings.append(try column(index, \.bool))
            }
        }
        return bindings
    }

    /// The members' values of parameter `index`; one of another kind is a bug of ours.
    private func column<T>(_ index: Int, _ value: (StatementValue) -> T?) throws -> [T] {
        try members.map { values in
            guard let value = value(values[index]) else { throw MismatchedValue(statement: Member.name, index: index) }
            return value
        }
    }

    package struct MismatchedValue: Error {
        let statement: String
        let index: Int
    }

    package func decodeRow(_ row: PostgresRow) throws -> Row {
        let (position, body) = try row.decode((Int64, ByteBuffer).self)
        return (Int(position), body)
    }
}

/// The batch form of each statement's SQL, built once per kind of statement.
package enum BatchSQL {
    private static let built = NIOLockedValueBox<[ObjectIdentifier: (name: String, sql: String)]>([:])

    package static func text<Member: JSONStatement>(for member: Member.Type) -> (name: String, sql: String) {
        built.withLockedValue { built in
            if let text = built[ObjectIdentifier(member)] { return text }
            let text = ("batch of " + Member.name, wrapping(Member.sql, parameters: Member.parameterKinds))
            built[ObjectIdentifier(member)] = text
            return text
        }
    }

    /// `sql` run once per row of its parameters' arrays: `$n` becomes the row's column `vn`.
    package static func wrapping(_ sql: String, parameters: [StatementValue.Kind]) -> String {
        let arrays = parameters.enumerated().map { "$\($0.offset + 1)::\($0.element.sqlName)[]" }
        let columns = parameters.indices.map { "v\($0 + 1)" }
        let member = sql.replacing(/\$([0-9]+)/) { "k.v" + $0.output.1 }
        return """
            SELECT k.position, q.body
            FROM unnest(\(arrays.joined(separator: ", "))) WITH ORDINALITY AS k(\(columns.joined(separator: ", ")), position)
            CROSS JOIN LATERAL (\(member)) AS q(body)
            """
    }
}
