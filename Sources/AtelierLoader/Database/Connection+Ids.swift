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

    /// The rows PostgreSQL's statistics give the live `table` (its last ANALYZE or VACUUM,
    /// kept up to date by autovacuum), read without a scan; nil when it has never been analysed.
    func estimatedRowCount(_ table: TableSpec) throws(DatabaseError) -> Int? {
        let estimate = try scalar(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('\(Schema.Namespace.live.qualified(table.name))')"
        )
        return estimate.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    }
}
