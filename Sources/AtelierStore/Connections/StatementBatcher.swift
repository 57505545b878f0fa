import NIOConcurrencyHelpers
import NIOCore

/// Groups requests' statements into batches: the read routes' (`BatchStatement`, each member
/// answered with its JSON) and the feedback PUTs' (`FeedbackQueries.Group`). Per kind of
/// statement and pool, at most `concurrency` batches run at once; a request that finds them all
/// running waits, and goes with every request that waited with it (up to `maximumSize`) in the
/// next batch the first of them to finish takes. A lone request runs at once, alone; under load,
/// one round trip answers many requests, which costs the database and the server's client far
/// less than a statement each (docs/benchmarks.md). A batch must end by the earliest deadline of
/// its members, so waiting in the queue never stretches a request's deadline.
package final class StatementBatcher<Answer: Sendable>: Sendable {
    /// Batches of one kind that may run at once.
    package let concurrency: Int
    /// Requests one batch may answer.
    package let maximumSize: Int

    package typealias Key = StatementBatchKey

    /// Runs a batch of members' values by `due`: their answers in their order, or why none came.
    package typealias Run =
        @Sendable (_ members: [[StatementValue]], _ due: AnyClock.Instant) async -> Result<[Answer], any Error>

    private struct Waiting {
        let values: [StatementValue]
        let due: AnyClock.Instant
        let continuation: CheckedContinuation<Answer, any Error>
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var running = 0
    }

    private let queues = NIOLockedValueBox<[Key: Queue]>([:])
    private let totals = NIOLockedValueBox<(batches: Int, requests: Int)>((0, 0))

    package init(concurrency: Int = 2, maximumSize: Int = 64) {
        self.concurrency = max(1, concurrency)
        self.maximumSize = max(1, maximumSize)
    }

    /// Batches run and the requests they answered, since the start.
    package var counts: (batches: Int, requests: Int) { totals.withLockedValue { $0 } }

    /// Requests of `key` waiting for a batch.
    package func waiting(for key: Key) -> Int { queues.withLockedValue { $0[key]?.waiting.count ?? 0 } }

    /// The answer to one statement's `values`, run in a batch of `key`'s kind by `run`.
    package func answer(_ values: [StatementValue], due: AnyClock.Instant, key: Key, run: @escaping Run)
        async throws -> Answer
    {
        try await withCheckedThrowingContinuation { continuation in
            let starts = queues.withLockedValue { queues in
                queues[key, default: Queue()].waiting.append(
                    Waiting(values: values, due: due, continuation: continuation))
                guard queues[key]!.running < concurrency else { return false }
                queues[key]!.running += 1
                return true
            }
            // A task of its own, not the request's: the runner answers other requests' batches
            // after its own, and its request must not wait for them. It ends when none wait.
            if starts { Task { await self.drain(key, run: run) } }
        }
    }

    /// Runs batches of `key` until nobody waits.
    private func drain(_ key: Key, run: Run) async {
        while let batch = nextBatch(key) {
            let outcome = await run(batch.map(\.values), batch.map(\.due).min()!)
            totals.withLockedValue { totals in
                totals.batches += 1
                totals.requests += batch.count
            }
            switch outcome {
            case .success(let answers):
                for (member, answer) in zip(batch, answers) { member.continuation.resume(returning: answer) }
            case .failure(let error):
                for member in batch { member.continuation.resume(throwing: error) }
            }
        }
    }

    /// The waiting requests of `key`, oldest first, or nil (and one runner fewer) when none wait.
    private func nextBatch(_ key: Key) -> [Waiting]? {
        queues.withLockedValue { queues in
            guard let waiting = queues[key]?.waiting.count, waiting > 0 else {
                queues[key]?.running -= 1
                return nil
            }
            let size = min(waiting, maximumSize)
            let batch = Array(queues[key]!.waiting.prefix(size))
            queues[key]!.waiting.removeFirst(size)
            return batch
        }
    }
}

/// A kind of statement on one pool: only these share a batch.
package struct StatementBatchKey: Hashable, Sendable {
    package enum Statement: Hashable, Sendable {
        /// A read route's statement, by its type.
        case read(ObjectIdentifier)
        case feedback(FeedbackQueries.Kind)
    }

    package let statement: Statement
    package let pool: ObjectIdentifier
}
