import AtelierPostgres
import AtelierSchema

/// The `atelier_load_runs` table: a `load` command of several files is a run, recorded when
/// it starts (committed at once, outside the files' transactions) and marked complete only
/// when every file loaded. A run killed or stopped part-way stays incomplete, so `verify`
/// can name it and the files it did not load until a later run completes.
public struct LoadRun: Sendable, Equatable {
    public enum Status: String, Sendable {
        case running, complete, stopped
    }

    public let id: Int64
    public let status: Status
    public let startedAt: String
    /// The files the run was given that it did not load.
    public let filesNotLoaded: [String]
}

extension Connection {
    /// Records the start of a run of `files` (file names) and returns its id.
    public func startRun(files: [String]) throws(DatabaseError) -> Int64 {
        // File names travel one per line, as `latestEffectiveRun` reads them back.
        let id = try scalar(
            """
            INSERT INTO \(Schema.runsTable) (files, status) VALUES (string_to_array($1, E'\\n'), 'running') RETURNING id
            """, [files.joined(separator: "\n")])
        guard let id, let value = Int64(id) else { throw DatabaseError("the run was not recorded") }
        return value
    }

    /// Marks the run `complete` (every file loaded) or `stopped`.
    public func finishRun(_ id: Int64, status: LoadRun.Status) throws(DatabaseError) {
        _ = try query(
            "UPDATE \(Schema.runsTable) SET status = $1, finished_at = now() WHERE id = $2",
            [status.rawValue, String(id)])
    }

    /// The latest run that changed anything (loaded at least one file), nil when none did.
    public func latestEffectiveRun() throws(DatabaseError) -> LoadRun? {
        let row = try query(
            """
            SELECT r.id, r.status, to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'),
                array_to_string(ARRAY(SELECT f FROM unnest(r.files) f WHERE f NOT IN
                    (SELECT h.file FROM \(Schema.historyTable) h WHERE h.run_id = r.id AND h.mode <> 'emptied')), E'\\n')
            FROM \(Schema.runsTable) r
            WHERE EXISTS (SELECT 1 FROM \(Schema.historyTable) h WHERE h.run_id = r.id)
            ORDER BY r.id DESC LIMIT 1
            """
        ).first
        guard let row, let id = row[0].flatMap({ Int64($0) }), let status = row[1].flatMap(LoadRun.Status.init) else {
            return nil
        }
        let missing = (row[3] ?? "").split(separator: "\n").map(String.init)
        return LoadRun(id: id, status: status, startedAt: row[2] ?? "", filesNotLoaded: missing)
    }
}
