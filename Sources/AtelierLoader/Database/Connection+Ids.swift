import AtelierCatalog
import AtelierPostgres
import AtelierSchema

extension Connection {
    /// Every id in `table`, for duplicate and orphan checks against rows already loaded.
    public func ids(of table: String) throws(DatabaseError) -> IdSet {
        var ids = IdSet()
        try copyOut("COPY (SELECT \"id\" FROM \(Schema.quoted(table))) TO STDOUT") { line in
            var value: Int32 = 0
            for byte in line where byte >= 0x30 && byte <= 0x39 { value = value * 10 + Int32(byte - 0x30) }
            ids.insert(value)
        }
        return ids
    }
}
