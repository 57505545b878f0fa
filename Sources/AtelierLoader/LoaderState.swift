import AtelierCatalog

/// What one `RunLoader` keeps across the files of a run: the ids of each table it staged (the
/// ids its child files are checked against), and the next file's encoder, read ahead.
final class LoaderState {
    private var ids: [String: IdSet] = [:]
    /// The next file, being read ahead.
    private var encoder: FileEncoder?

    deinit { encoder?.cancel() }

    subscript(table: String) -> IdSet? { ids[table] }

    func remember(_ table: String, _ tableIds: IdSet) { ids[table] = tableIds }

    /// The file being read ahead, if any.
    var readingAhead: String? { encoder?.path }

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

    /// Drops the encoder read ahead.
    func dropEncoder() {
        encoder?.cancel()
        encoder = nil
    }
}
