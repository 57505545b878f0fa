import AtelierCatalog
import AtelierPostgres
import AtelierSchema

extension Connection {
    /// Every id in `table`, for duplicate and orphan checks against rows already loaded.
    public func ids(of table: TableName) throws(DatabaseError) -> IdSet {
        var ids = IdSet()
        try copyOut("COPY (SELECT \"id\" FROM \(Schema.quoted(table.rawValue))) TO STDOUT") { line in
            var value: Int32 = 0
            for byte in line where byte >= 0x30 && byte <= 0x39 { value = value * 10 + Int32(byte - 0x30) }
            ids.insert(value)
        }
        return ids
    }

    /// The rows `table` holds in `namespace`.
    func rowCount(_ table: TableSpec, in namespace: Schema.Namespace = .live) throws(DatabaseError) -> Int {
        Int(try scalar("SELECT count(*) FROM \(namespace.qualified(table.name))") ?? "0") ?? 0
    }
}
