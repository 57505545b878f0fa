import AtelierCatalog
import NIOCore

/// A read statement whose answer the response cache may keep: its key, every table its SQL
/// reads (a test checks the list against the SQL), and the kind of row its answer is about, so
/// that a change to a table drops only the answers about the rows it touched.
package protocol CachedStatement: JSONStatement {
    static var tablesRead: Set<TableName> { get }
    /// For a table of which the SQL reads only some columns, those columns (a test checks them
    /// against the SQL): an UPDATE of none of them keeps the answer. A table not named here is
    /// read whole.
    static var columnsRead: [TableName: Set<String>] { get }
    /// The kind of row `cacheKey.id` names; nil for an answer about no one row (a list of
    /// products), which any change to its tables drops.
    static var keySpace: CacheKeySpace? { get }
    var cacheKey: CacheKey { get }
    /// What the count `column` set to `counts` (rows of the answer's own row) does to the
    /// answer held for `key`, `body`; by default it is read again.
    static func patch(_ body: ByteBuffer, for key: CacheKey, column: String, counts: [TableChange.Count]) -> CountPatch
}

extension CachedStatement {
    package static var columnsRead: [TableName: Set<String>] { [:] }

    package static func patch(
        _ body: ByteBuffer, for key: CacheKey, column: String, counts: [TableChange.Count]
    ) -> CountPatch {
        .drop
    }
}

extension CachedStatement where Self: ByIDStatement {
    package var cacheKey: CacheKey { CacheKey(Self.self, id: rowID) }
}

extension CachedStatement where Self: PagedStatement {
    package var cacheKey: CacheKey {
        CacheKey(Self.self, id: rowID, page: page.page, count: page.count)
    }
}
