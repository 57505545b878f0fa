import AtelierCatalog

/// What changed in one table: the products and the questions whose answers the change can
/// alter, and for an UPDATE the columns it changed. A nil list means every one of them (a
/// TRUNCATE, a bulk change, a table with no path to that kind of key, an INSERT or DELETE).
/// Sent by the tables' triggers (`Schema.changeChannel`) and made by this server for its own
/// writes.
public struct TableChange: Sendable, Equatable {
    public let table: TableName
    public let products: [Int32]?
    public let questions: [Int32]?
    /// The columns whose values changed; nil for any (rows added or removed).
    public let columns: Set<String>?
    /// For an UPDATE that changed one count column only (`columns` names it) of a table with a
    /// product: each row's new value, so that an answer showing it can be patched instead of
    /// read again (`CountPatch`); nil when not known.
    public let counts: [Count]?

    /// A row's new value of the count column a change set.
    public struct Count: Sendable, Equatable {
        public let row: Int32
        public let product: Int32
        public let value: Int32
    }

    public init(
        table: TableName, products: [Int32]?, questions: [Int32]?, columns: Set<String>? = nil, counts: [Count]? = nil
    ) {
        self.table = table
        self.products = products
        self.questions = questions
        self.columns = columns
        self.counts = counts
    }

    /// Everything built from `table` changed.
    public static func whole(_ table: TableName) -> TableChange {
        TableChange(table: table, products: nil, questions: nil)
    }

    /// The ids of `space` this change touches; nil for all of them.
    package func keys(_ space: CacheKeySpace) -> [Int32]? {
        switch space {
        case .product: products
        case .question: questions
        }
    }

    /// The changes a notification payload reports: a bare table name (the whole table) or the
    /// triggers' JSON (`Payload`). A payload this server cannot read (a newer schema) changes
    /// everything.
    public static func parse(notification payload: String) -> [TableChange] {
        if let table = TableName(rawValue: payload) { return [.whole(table)] }
        guard let keyed = Payload(payload), let name = keyed.table, let table = TableName(rawValue: name) else {
            return TableName.allCases.map(whole)
        }
        return [
            TableChange(
                table: table, products: keyed.products, questions: keyed.questions,
                columns: keyed.columns.map(Set.init),
                counts: keyed.counts)
        ]
    }
}

/// The kind of row a cached answer is about, so that a change reaches only its answers.
public enum CacheKeySpace: Sendable, Hashable {
    case product, question
}
