import NIOCore
import PostgresNIO

/// A prepared statement whose single row and column is the route's whole JSON answer, built by
/// the database (`json_build_object`/`json_agg`), so the server sends the bytes as they come.
/// Its parameters are kept as values (`values`), so that a batch can bind the values of many
/// statements of one kind as arrays (`BatchStatement`).
package protocol JSONStatement: PostgresPreparedStatement where Row == ByteBuffer {
    /// The types of `$1`, `$2`, … in order.
    static var parameterKinds: [StatementValue.Kind] { get }
    /// The values of `$1`, `$2`, … in order, of the kinds `parameterKinds` names.
    var values: [StatementValue] { get }
}

extension JSONStatement {
    package static var bindingDataTypes: [PostgresDataType] { parameterKinds.map(\.dataType) }

    package func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { value.bind(to: &bindings) }
        return bindings
    }

    package func decodeRow(_ row: PostgresRow) throws -> ByteBuffer { try row.decode(ByteBuffer.self) }
}

/// A JSON statement about one row named by id: `$1` is the id (each statement names it for
/// what it is: a product, a question, a session).
package protocol ByIDStatement: JSONStatement {
    var rowID: Int32 { get }
}

extension ByIDStatement {
    package static var parameterKinds: [StatementValue.Kind] { [.int4] }

    package var values: [StatementValue] { [.int4(rowID)] }
}

/// A JSON statement listing one page of a row's children: `$1` is the id, `$2` the count,
/// `$3` the offset and `$4` the page (for the answers that echo it).
package protocol PagedStatement: JSONStatement {
    var rowID: Int32 { get }
    var page: Page { get }
}

extension PagedStatement {
    package static var parameterKinds: [StatementValue.Kind] { pageParameterKinds }

    package static var pageParameterKinds: [StatementValue.Kind] { [.int4, .int8, .int8, .int8] }

    package var values: [StatementValue] { pageValues }

    /// `$1` to `$4`.
    package var pageValues: [StatementValue] {
        [.int4(rowID), .int8(Int64(page.count)), .int8(Int64(page.offset)), .int8(Int64(page.page))]
    }
}
