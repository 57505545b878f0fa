import AtelierCatalog
import AtelierPostgres
import AtelierSchema

/// The run judged as a whole, once every file is staged, on the state it would leave: a table
/// the run reloads counts with its staged rows, never with an intermediate empty state.
extension RunLoader {
    /// Looks at every live table the run does not load that points at a table it does: rows
    /// that would point at rows that are gone refuse the run, naming them, or with `--cascade`
    /// those tables (and every table below them) are emptied at the switch, which the shrink
    /// guard weighs. Returns what the switch is to do.
    func judge() throws(LoadError) -> SwitchPlan {
        let stagedNames = Set(staged.map(\.spec.name))
        let crossing = SwitchPlan.crossingKeys(staged: stagedNames)
        let liveDependants = crossing.filter { !stagedNames.contains($0.child.name) }
        var orphaned: [(key: SwitchPlan.CrossingKey, rows: Int)] = []
        var rechecks: [SwitchPlan.Recheck] = []
        // With --cascade, the rows of every table the switch may empty, for the shrink guard.
        var emptiable: [String: Int] = [:]
        try LoadError.during("checking the run") {
            for key in liveDependants {
                // Every row with an id up to `above` is seen by the count: the transactions that
                // could have written one have ended. Later rows are looked at again in the switch.
                let above = Int64(try connection.scalar(Schema.sequenceLastValue(key.child)) ?? "0") ?? 0
                try connection.execute(Schema.waitForWriters(key.child))
                let rows =
                    Int(
                        try connection.scalar(Schema.orphanCount(key.child, key.column, parentIn: .staging)) ?? "0")
                    ?? 0
                if rows > 0 { orphaned.append((key, rows)) }
                rechecks.append(SwitchPlan.Recheck(child: key.child, column: key.column, idsAbove: above))
            }
            guard options.cascade else { return }
            for name in Self.descendants(of: liveDependants.map(\.child.name)) {
                guard let table = Catalog.table(named: name) else { continue }
                emptiable[name] = try staged.first { $0.spec == table }?.liveRows ?? connection.rowCount(table)
            }
        }
        let shrink = ShrinkGuard(allowed: options.allowShrink, file: nil)
        guard !orphaned.isEmpty else {
            return SwitchPlan(
                staged: staged, emptied: [], crossingKeys: crossing, rechecks: rechecks, emptiable: emptiable,
                shrinkGuard: shrink)
        }
        let emptiedNames = Self.descendants(of: orphaned.map(\.key.child.name))
        guard options.cascade else {
            let listing = orphaned.map { "\($0.rows) rows of \($0.key.child.name) (\($0.key.column.name))" }
            throw .refused(
                """
                refused: the run would leave \(listing.joined(separator: ", ")) pointing at \
                \(Set(orphaned.map(\.key.parent.name)).sorted().joined(separator: " and ")) rows that are gone. \
                Load those files too, or pass --cascade to empty the dependent tables \
                (\(emptiedNames.joined(separator: ", "))). Nothing was changed.
                """)
        }
        try shrink.check(emptiedNames.map { ShrinkGuard.Change(emptied: $0, before: emptiable[$0] ?? 0) })
        warn("--cascade: the switch empties \(emptiedNames.joined(separator: ", "))")
        return SwitchPlan(
            staged: staged, emptied: Catalog.tables.filter { emptiedNames.contains($0.name) }, crossingKeys: crossing,
            rechecks: rechecks.filter { !emptiedNames.contains($0.child.name) }, emptiable: emptiable,
            shrinkGuard: shrink)
    }

    /// `tables` and every table below them, in load order.
    static func descendants(of tables: [String]) -> [String] {
        var found = Set(tables)
        var changed = true
        while changed {
            changed = false
            for table in Catalog.tables
            where !found.contains(table.name) && table.parents.contains(where: { found.contains($0.rawValue) }) {
                found.insert(table.name)
                changed = true
            }
        }
        return Catalog.tables.map(\.name).filter(found.contains)
    }
}
