import AtelierCatalog
import AtelierSchema

/// A table a run has built in the staging schema, waiting for the switch.
struct StagedTable {
    let spec: TableSpec
    let report: FileReport
    /// Rows the live table held when the file was staged, the shrink guard's "before"; nil when
    /// the statistics showed the file could not shrink it, so it was not counted
    /// (`ShrinkGuard.cannotRefuse`).
    let liveRows: Int?
    let fileSize: Int
    let checksum: String
}

/// What a switch does, all decided before it starts, so that under its locks nothing is
/// scanned, copied or validated.
struct SwitchPlan {
    /// A foreign key between a staged table and a live one the run does not load. The switch
    /// drops it from the live child (or from the table being replaced) and adds it `NOT VALID`
    /// between the tables that are live after it; the run validates it right after.
    struct CrossingKey {
        let child: TableSpec
        let column: ColumnSpec
        let parent: TableSpec
    }

    /// Rows of a live table that point at a staged one and that the run's check may not have
    /// seen (ids past `idsAbove`, written while the run staged): looked at again under the
    /// switch's locks, through the primary key.
    struct Recheck {
        let child: TableSpec
        let column: ColumnSpec
        let idsAbove: Int64
    }

    /// The tables moved in, in load order.
    let staged: [StagedTable]
    /// The tables emptied at the switch (`--cascade`), live or staged, in load order.
    let emptied: [TableSpec]
    let crossingKeys: [CrossingKey]
    let rechecks: [Recheck]
    /// With `--cascade`, every table the switch may empty (the live dependants of staged tables
    /// and all below them) with the rows it held at the check: rows written since that point at
    /// rows that are gone empty their table too, as the shrink guard allows.
    let emptiable: [String: Int]
    let shrinkGuard: ShrinkGuard

    /// Every live table the switch alters, moves or may empty, in load order: it locks them all
    /// with one statement.
    var lockedTables: [TableSpec] {
        let names = Set(
            staged.map(\.spec.name) + emptied.map(\.name) + emptiable.keys
                + crossingKeys.flatMap { [$0.child.name, $0.parent.name] })
        return Catalog.tables.filter { names.contains($0.name) }
    }

    /// The foreign keys that cross between the tables of `stagedNames` and the others.
    static func crossingKeys(staged stagedNames: Set<String>) -> [CrossingKey] {
        Catalog.tables.flatMap { table in
            table.columns.compactMap { column in
                guard case .reference(let parent) = column.kind,
                    stagedNames.contains(table.name) != stagedNames.contains(parent.rawValue)
                else { return nil }
                return CrossingKey(child: table, column: column, parent: parent.spec)
            }
        }
    }
}
