import NIOCore
import PostgresNIO

/// A prepared statement whose single row and column is the route's whole JSON answer, built by
/// the database (`json_build_object`/`json_agg`), so the server sends the bytes as they come.
protocol JSONStatement: PostgresPreparedStatement where Row == ByteBuffer {}

extension JSONStatement {
    func decodeRow(_ row: PostgresRow) throws -> ByteBuffer { try row.decode(ByteBuffer.self) }
}

/// A JSON statement about one row named by id: `$1` is the id (each statement names it for
/// what it is: a product, a question, a session).
protocol ByIDStatement: JSONStatement {
    var rowID: Int32 { get }
}

extension ByIDStatement {
    static var bindingDataTypes: [PostgresDataType] { [.int4] }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(rowID)
        return bindings
    }
}

/// A JSON statement listing one page of a row's children: `$1` is the id, `$2` the count,
/// `$3` the offset and `$4` the page (for the answers that echo it).
protocol PagedStatement: JSONStatement {
    var rowID: Int32 { get }
    var page: Page { get }
}

extension PagedStatement {
    static var bindingDataTypes: [PostgresDataType] { pageBindingTypes }

    static var pageBindingTypes: [PostgresDataType] { [.int4, .int8, .int8, .int8] }

    func makeBindings() throws -> PostgresBindings { pageBindings() }

    /// `$1` to `$4`, with room for `extra` more parameters after them.
    func pageBindings(extra: Int = 0) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4 + extra)
        bindings.append(rowID)
        bindings.append(page.count)
        bindings.append(page.offset)
        bindings.append(page.page)
        return bindings
    }
}
