import NIOCore

/// What a change of a count column (a helpful vote) does to one cached answer about the row it
/// belongs to: nothing, new bytes, or nothing certain, so the answer is read again. Patching
/// spares a re-read per vote, which costs the server and PostgreSQL about as much as the vote
/// itself (docs/benchmarks.md).
package enum CountPatch: Equatable {
    case unchanged
    case replaced(ByteBuffer)
    case drop
}

extension CountPatch {
    /// The patch of a page of a list answer (`CountedList`) ordered by count, then newest, then
    /// id, all descending (`byCount`), or by newest, then id. `counts` are the changed rows of
    /// the answer's own row (a product's reviews); `page` is 1-based and `size` the page's size.
    ///
    /// Certain only when the change cannot move a row across the page's edges: a list by
    /// newest keeps its rows, whatever the counts; a first page by count keeps them unless a row
    /// outside it now counts at least as much as its last row. Rows the page shows get their new
    /// values and, by count, their order back; two rows equal in count and in the date shown
    /// (which hides sub-millisecond differences) leave the order unsure. A count below the one
    /// shown is an older change than the answer, or a correction: read again.
    package static func page(
        _ body: ByteBuffer, counts: [TableChange.Count], keys: CountedList.Keys, page: Int, size: Int, byCount: Bool
    ) -> CountPatch {
        guard var list = CountedList(body, keys: keys) else { return .drop }
        var changed = false
        for count in counts {
            guard let index = list.elements.firstIndex(where: { $0.id == count.row }) else {
                guard byCount else { continue }
                guard page == 1 else { return .drop }
                if list.elements.count == size, let last = list.elements.last, count.value >= last.count {
                    return .drop
                }
                continue
            }
            let shown = list.elements[index].count
            if count.value < shown { return .drop }
            if count.value > shown {
                list.elements[index].setCount(count.value)
                changed = true
            }
        }
        guard changed else { return .unchanged }
        if byCount {
            guard page == 1 else { return .drop }
            list.elements.sort { ($0.count, $0.date, $0.id) > ($1.count, $1.date, $1.id) }
            for (first, second) in zip(list.elements, list.elements.dropFirst())
            where first.count == second.count && first.date == second.date {
                return .drop
            }
        }
        return .replaced(list.body)
    }
}
