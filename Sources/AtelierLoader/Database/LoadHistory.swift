import AtelierPostgres
import AtelierSchema

/// The `atelier_load_history` table: one row per file loaded, kept so that `verify` can
/// tell whether the tables still hold what the last load put there.
public struct LoadHistoryEntry: Sendable {
    public var table: String
    public var file: String
    public var fileSize: Int
    public var checksum: String
    /// `replace`, `append`, or `emptied` for a table that `--cascade` emptied.
    public var mode: String
    public var rowsRead: Int
    public var rowsLoaded: Int
    public var rowsRepaired: Int
    /// The rejected counts by reason, as a JSON object.
    public var rejectedJSON: String
    /// Rows in the table after the load.
    public var tableRows: Int
    public var seconds: Double
    /// The run (`load` command) this load belongs to.
    public var runId: Int64?

    public init(
        table: String, file: String, fileSize: Int, checksum: String, mode: String, rowsRead: Int,
        rowsLoaded: Int, rowsRepaired: Int, rejectedJSON: String, tableRows: Int, seconds: Double,
        runId: Int64? = nil
    ) {
        self.table = table
        self.file = file
        self.fileSize = fileSize
        self.checksum = checksum
        self.mode = mode
        self.rowsRead = rowsRead
        self.rowsLoaded = rowsLoaded
        self.rowsRepaired = rowsRepaired
        self.rejectedJSON = rejectedJSON
        self.tableRows = tableRows
        self.seconds = seconds
        self.runId = runId
    }
}

extension Connection {
    public func recordLoad(_ entry: LoadHistoryEntry) throws(DatabaseError) {
        _ = try query(
            """
            INSERT INTO \(Schema.historyTable) (table_name, file, file_size, checksum, mode, rows_read, rows_loaded,
                rows_repaired, rejected, table_rows, seconds, run_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)
            """,
            [
                entry.table, entry.file, String(entry.fileSize), entry.checksum, entry.mode, String(entry.rowsRead),
                String(entry.rowsLoaded), String(entry.rowsRepaired), entry.rejectedJSON, String(entry.tableRows),
                String(entry.seconds), entry.runId.map { String($0) },
            ])
    }

    /// The row count each table had after its latest load, by table name.
    public func lastLoadedCounts() throws(DatabaseError) -> [String: Int] {
        let rows = try query(
            """
            SELECT DISTINCT ON (table_name) table_name, table_rows FROM \(Schema.historyTable)
            ORDER BY table_name, id DESC
            """)
        var counts: [String: Int] = [:]
        for row in rows { if let table = row[0], let count = row[1].flatMap({ Int($0) }) { counts[table] = count } }
        return counts
    }
}
