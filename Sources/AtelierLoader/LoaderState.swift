import AtelierCatalog

/// What one `FileLoader` keeps across its files. The ids each table holds after this loader
/// committed it stay valid while nobody else deletes rows meanwhile (the API never deletes;
/// a row deleted by hand is still caught by the foreign key); a parent row added by someone
/// else since is not seen, and a child naming it is rejected as an orphan.
final class LoaderState {
    var schemaApplied = false
    private var ids: [String: IdSet] = [:]
    /// The next file, being read ahead.
    private var encoder: FileEncoder?

    deinit { encoder?.cancel() }

    subscript(table: String) -> IdSet? { ids[table] }

    func remember(_ table: String, _ tableIds: IdSet) { ids[table] = tableIds }

    func forget(_ table: String) { ids[table] = nil }

    func keepEncoder(_ next: FileEncoder) {
        dropEncoder()
        encoder = next
    }

    /// The encoder read ahead for `path`, if any; one for another file is dropped.
    func takeEncoder(for path: String) -> FileEncoder? {
        let taken = encoder
        encoder = nil
        guard taken?.path == path else {
            taken?.cancel()
            return nil
        }
        return taken
    }

    /// Drops the encoder read ahead (when `tables` holds a parent of its table, only then).
    func dropEncoder(ifItChecksAgainst tables: [String]? = nil) {
        guard let current = encoder else { return }
        if let tables, !current.table.parents.contains(where: tables.contains) { return }
        current.cancel()
        encoder = nil
    }
}
