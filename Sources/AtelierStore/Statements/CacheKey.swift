/// One cached answer: the statement that built it and its parameters (`ResponseCache`).
public struct CacheKey: Hashable, Sendable {
    let statement: ObjectIdentifier
    let id: Int32
    let page: Int
    let count: Int
    let variant: Int

    init<Statement: CachedStatement>(
        _ statement: Statement.Type,
        id: Int32 = 0,
        page: Int = 0,
        count: Int = 0,
        variant: Int = 0
    ) {
        self.statement = ObjectIdentifier(statement)
        self.id = id
        self.page = page
        self.count = count
        self.variant = variant
    }
}
