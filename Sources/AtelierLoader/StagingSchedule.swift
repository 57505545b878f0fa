import AtelierCatalog
import Foundation

/// Which file of a replacing run each connection stages next. A file is ready once every
/// parent it has in the run has been read, so its references can be checked against the ids
/// read (a staged table needs no other table on the server: its foreign keys come after every
/// file is staged). Among ready files, the one heading the heaviest chain of files still to
/// stage goes first, so the longest chain (product, reviews, characteristic_reviews) starts
/// early and the run does not end on one connection while the others idle.
///
/// Shared by the connections' threads; every property is guarded by `condition`, hence
/// `@unchecked Sendable`.
final class StagingSchedule: @unchecked Sendable {
    /// One file of the run.
    struct Task: Sendable {
        /// Its position in load order.
        let index: Int
        let path: String
        let table: TableSpec
        /// The run's tables it references.
        let parentsInRun: [String]
        /// Its size plus that of its heaviest chain of descendants in the run.
        let weight: Int
    }

    let tasks: [Task]
    private let condition = NSCondition()
    private var claimed: Set<Int> = []
    private var ids: [String: IdSet] = [:]
    private var staged: [Int: StagedTable] = [:]
    private var failure: LoadError?

    /// `files` in load order (parents first) and their tables; `sizes` in bytes.
    init(files: [String], tables: [TableSpec], sizes: [Int]) {
        let inRun = Set(tables.map(\.name))
        var weights = [Int](repeating: 0, count: files.count)
        for index in files.indices.reversed() {
            let heaviestChild = files.indices.filter { tables[$0].parents.contains(tables[index].name) }
                .map { weights[$0] }.max() ?? 0
            weights[index] = sizes[index] + heaviestChild
        }
        tasks = files.indices.map { index in
            Task(
                index: index, path: files[index], table: tables[index],
                parentsInRun: tables[index].parents.filter(inRun.contains), weight: weights[index])
        }
    }

    /// The next file to stage and the ids of its parents in the run, waiting until one is ready
    /// unless `waiting` is false; nil once every file is claimed or the run has failed.
    func claim(waiting: Bool = true) -> (Task, [String: IdSet])? {
        condition.withLock {
            while failure == nil, claimed.count < tasks.count {
                let ready = tasks.filter { !claimed.contains($0.index) && $0.parentsInRun.allSatisfy { ids[$0] != nil } }
                if let next = ready.max(by: { $0.weight < $1.weight }) {
                    claimed.insert(next.index)
                    return (next, ids.filter { next.parentsInRun.contains($0.key) })
                }
                guard waiting else { return nil }
                condition.wait()
            }
            return nil
        }
    }

    /// A file has been read: its children may start.
    func read(_ table: String, ids tableIds: IdSet) {
        condition.withLock {
            ids[table] = tableIds
            condition.broadcast()
        }
    }

    /// A file's table is staged.
    func finished(_ task: Task, _ table: StagedTable) {
        condition.withLock { staged[task.index] = table }
    }

    /// Stops the run: the first failure is the run's; the other connections stop at their next chunk.
    func fail(_ error: LoadError) {
        condition.withLock {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }

    /// Whether the run has failed.
    var hasFailed: Bool { condition.withLock { failure != nil } }

    /// Once every connection is done: the staged tables in load order, or the run's failure
    /// (with the tables staged before it).
    func outcome() -> (staged: [StagedTable], failure: LoadError?) {
        condition.withLock {
            (staged.sorted { $0.key < $1.key }.map(\.value), failure)
        }
    }
}
