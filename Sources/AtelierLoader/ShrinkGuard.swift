/// The rule that keeps an export gone wrong upstream (header only, truncated, mostly
/// rejected) from emptying a production table: a run that would leave any table it touches,
/// one it reloads or one `--cascade` empties, with fewer than half the rows the live table
/// holds now is refused unless the user passes `--allow-shrink`. Loading into an empty table
/// never shrinks.
struct ShrinkGuard {
    /// One table's row count before and after the load.
    struct Change: Equatable {
        let table: String
        let before: Int
        let after: Int
        let note: String

        init(table: String, before: Int, after: Int, note: String = "") {
            self.table = table
            self.before = before
            self.after = after
            self.note = note
        }

        /// `table` emptied at the switch because `--cascade` asked for it.
        init(emptied table: String, before: Int) {
            self.init(table: table, before: before, after: 0, note: " (emptied by --cascade)")
        }
    }

    let allowed: Bool
    /// The file whose rows are weighed; nil for the run as a whole (tables `--cascade` empties).
    let file: String?

    /// Refuses the change to `table` when it is a shrink.
    func check(_ table: String, before: Int, after: Int, note: String = "") throws(LoadError) {
        try check([Change(table: table, before: before, after: after, note: note)])
    }

    /// Refuses the changes when any of them is a shrink, naming every table that shrinks.
    func check(_ changes: [Change]) throws(LoadError) {
        let shrinking = changes.filter { $0.before > 0 && $0.after * 2 < $0.before }
        guard !allowed, !shrinking.isEmpty else { return }
        let listing = shrinking.map { "\($0.table) from \($0.before) rows to \($0.after)\($0.note)" }
        throw .refused(
            """
            \(file.map { "\($0): " } ?? "")refused: the run would shrink \(listing.joined(separator: ", ")). \
            Nothing was changed. If the smaller data is intended, pass --allow-shrink.
            """)
    }

    /// Whether a file of `rowsLoaded` rows, `rowsRejected` of its `rowsRead` rejected, can
    /// replace a live table that the statistics put at `estimatedRows` rows (nil: never
    /// analysed) without either rule refusing it, so that the table need not be counted (a full
    /// scan): no estimate below `countedBelow` rows, the file not mostly rejected, and keeping at
    /// least three quarters of the estimate. A refusal would then take a table holding half as
    /// many rows again as its statistics say, which autovacuum re-estimates once a tenth of its
    /// rows have changed. Otherwise the table is counted and the rules judge the exact figure.
    static func cannotRefuse(estimatedRows: Int?, rowsLoaded: Int, rowsRead: Int, rowsRejected: Int) -> Bool {
        guard let estimatedRows, estimatedRows >= countedBelow else { return false }
        return rowsRejected * 2 <= rowsRead && rowsLoaded * 4 >= estimatedRows * 3
    }

    /// Tables estimated below this many rows are always counted: their count costs little.
    static let countedBelow = 100_000

    /// Refuses a file whose rows were mostly rejected from replacing a table that holds rows.
    func checkRejections(table: String, before: Int, rowsRead: Int, rowsRejected: Int) throws(LoadError) {
        guard !allowed, before > 0, rowsRead > 0, rowsRejected * 2 > rowsRead else { return }
        throw .refused(
            """
            \(file ?? "the run"): refused: \(rowsRejected) of its \(rowsRead) rows were rejected (see the reject file), and it \
            would replace the \(before) rows of \(table). Nothing was changed. If that is intended, pass --allow-shrink.
            """)
    }
}
