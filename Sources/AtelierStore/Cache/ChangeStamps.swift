import AtelierCatalog

/// The latest stamp of the changes an answer depends on: per product or question id, per table
/// for a change to every row of one kind, and per table for answers about no one row (a list).
/// `ResponseCache` stamps changes with its clock, so that an answer read before one is not
/// stored; `ReadRouter` with the marker they need, so that a read goes to the replica only once
/// it has replayed that marker.
package struct ChangeStamps {
    private struct SpaceKey: Hashable {
        let space: CacheKeySpace
        let id: Int32
    }

    private struct SpaceTable: Hashable {
        let space: CacheKeySpace
        let table: TableName
    }

    private var tables: [TableName: UInt64] = [:]
    private var wholes: [SpaceTable: UInt64] = [:]
    private var rows: [SpaceKey: UInt64] = [:]

    /// Stamps what `change` touches.
    package mutating func record(_ change: TableChange, stamp: UInt64) {
        tables[change.table] = stamp
        for space in [CacheKeySpace.product, .question] {
            if let ids = change.keys(space) {
                for id in ids { rows[SpaceKey(space: space, id: id)] = stamp }
            } else {
                wholes[SpaceTable(space: space, table: change.table)] = stamp
            }
        }
    }

    /// The latest stamp an answer depends on (0 for none): an answer built from `tables` about
    /// row `id` of `space`, or about no one row when `space` is nil.
    package func latest(tables read: Set<TableName>, space: CacheKeySpace?, id: Int32) -> UInt64 {
        guard let space else { return read.reduce(0) { max($0, tables[$1] ?? 0) } }
        return read.reduce(rows[SpaceKey(space: space, id: id)] ?? 0) {
            max($0, wholes[SpaceTable(space: space, table: $1)] ?? 0)
        }
    }

    /// Row stamps held (they grow with the rows changed; table stamps stay few).
    package var rowCount: Int { rows.count }

    /// Forgets the row stamps at or below `stamp`.
    package mutating func forgetRows(notAfter stamp: UInt64) {
        rows = rows.filter { $0.value > stamp }
    }
}
