import AtelierCatalog

/// A read statement whose answer the response cache may keep: its key, and every table its
/// SQL reads, so that a change to any of them drops the answer (a test checks the list
/// against the SQL).
protocol CachedStatement: JSONStatement {
    static var tablesRead: Set<TableName> { get }
    var cacheKey: ResponseCache.Key { get }
}

extension CachedStatement where Self: ByIDStatement {
    var cacheKey: ResponseCache.Key { ResponseCache.Key(Self.self, id: rowID) }
}

extension CachedStatement where Self: PagedStatement {
    var cacheKey: ResponseCache.Key { ResponseCache.Key(Self.self, id: rowID, page: page.page, count: page.count) }
}
