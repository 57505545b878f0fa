import AtelierPostgres
import AtelierSchema

/// The `atelier_load_runs` table: one row per `load` command, recorded when it starts
/// (committed at once) and marked `complete` in the transaction that makes it visible (the
/// switch, or an appending run's commit), or `stopped` when it was refused or failed. A run
/// killed before its switch stays `running`; it changed nothing.
public enum LoadRun {
    public enum Status: String, Sendable {
        case running, complete, stopped
    }
}

extension Connection {
    /// Records the start of a run of `files` (file names) and returns its id.
    public func startRun(files: [String]) throws(DatabaseError) -> Int64 {
        let id = try scalar(
            """
            INSERT INTO \(Schema.runsTable) (files, status) VALUES (string_to_array($1, E'\\n'), 'running') RETURNING id
            """, [files.joined(separator: "\n")])
        guard let id, let value = Int64(id) else { throw DatabaseError("the run was not recorded") }
        return value
    }

    /// Marks the run `complete` or `stopped`.
    public func finishRun(_ id: Int64, status: LoadRun.Status) throws(DatabaseError) {
        _ = try query(
            "UPDATE \(Schema.runsTable) SET status = $1, finished_at = now() WHERE id = $2",
            [status.rawValue, String(id)])
    }
}
