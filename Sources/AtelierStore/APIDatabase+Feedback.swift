import PostgresNIO

extension APIDatabase {
    /// What a group's statement did for one of its PUTs: the row it changed (nil: the group
    /// left it out), and the WAL position just past the group's commit.
    package struct FeedbackOutcome: Sendable {
        let row: Write.Row?
        let position: LSN?
    }

    /// A feedback PUT (`FeedbackQueries`); false when the id names nothing. The PUTs of one kind
    /// that arrive while a group of them runs wait, and go together in the next group
    /// (`StatementBatcher`, one group at a time per kind): under load one statement, one commit
    /// and one change notification serve many PUTs, each of which alone costs the machine many
    /// cached reads (the hot set with votes in `make bench-api`). Each PUT still counts once, drops its
    /// own cached answers and gets its own WAL position. A PUT the group left out (its row
    /// locked by another transaction, at the top of int4, or not there) runs alone, as it would
    /// without groups, with a deadline of its own.
    package func feedback(_ kind: FeedbackQueries.Kind, id: Int32) async throws -> Bool {
        let alone = FeedbackQueries.single(kind, id: id)
        guard let feedbackBatcher else { return try await write(alone) != nil }
        try pool.admit()
        let key = StatementBatchKey(statement: .feedback(kind), pool: ObjectIdentifier(pool))
        let outcome: FeedbackOutcome
        do {
            outcome = try await feedbackBatcher.answer([.int4(id)], due: pool.clock.now + deadline, key: key) {
                members, due in
                let ids = members.compactMap { $0.first?.int4 }
                let result = await pool.withConnection(until: due) { connection in
                    (
                        try await FeedbackQueries.runGroup(kind, ids: ids, on: connection),
                        try await WALPosition.read(on: connection)
                    )
                }
                return settle(result, on: pool, requests: members.count).map { rows, position in
                    let changed = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                    return members.map {
                        FeedbackOutcome(row: $0.first?.int4.flatMap { changed[$0] }, position: position)
                    }
                }
            }
        } catch {
            unknownOutcome(of: alone)
            throw error
        }
        guard let row = outcome.row else { return try await write(alone) != nil }
        committed(alone, row: row, position: outcome.position)
        return true
    }
}
