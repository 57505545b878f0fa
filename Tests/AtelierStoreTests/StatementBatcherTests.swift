@testable import AtelierStore
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// How requests join batches, without a database: each batch is recorded, and held until the
/// test lets it go.
/// The read routes' batcher, whose members get their JSON.
typealias ReadBatcher = StatementBatcher<ByteBuffer?>

@Suite struct StatementBatcherTests {
    /// A fake database: answers `"answer <n>"` to the value n, none to a negative n.
    final class FakeRuns: Sendable {
        private struct State {
            var batches: [[Int32]] = []
            var dues: [AnyClock.Instant] = []
            var held = true
            var waiting: [CheckedContinuation<Void, Never>] = []
        }

        private let state = NIOLockedValueBox(State())
        let failing: Bool

        init(failing: Bool = false) { self.failing = failing }

        var batches: [[Int32]] { state.withLockedValue { $0.batches } }
        var dues: [AnyClock.Instant] { state.withLockedValue { $0.dues } }

        /// Lets every batch run, the held ones and the next.
        func release() {
            let held = state.withLockedValue { state in
                state.held = false
                defer { state.waiting = [] }
                return state.waiting
            }
            for batch in held { batch.resume() }
        }

        var run: ReadBatcher.Run {
            { members, due in
                self.state.withLockedValue {
                    $0.batches.append(members.map { $0[0].int4! })
                    $0.dues.append(due)
                }
                await withCheckedContinuation { continuation in
                    let held = self.state.withLockedValue { state in
                        if state.held { state.waiting.append(continuation) }
                        return state.held
                    }
                    if !held { continuation.resume() }
                }
                if self.failing { return .failure(StoreError.unavailable) }
                return .success(members.map { $0[0].int4! < 0 ? nil : ByteBuffer(string: "answer \($0[0].int4!)") })
            }
        }
    }

    static let key = StatementBatchKey(statement: .read(ObjectIdentifier(Int.self)), pool: ObjectIdentifier(Int.self))
    static let otherKey = StatementBatchKey(
        statement: .read(ObjectIdentifier(String.self)), pool: ObjectIdentifier(Int.self))

    static func ask(
        _ batcher: ReadBatcher, _ value: Int32, due: AnyClock.Instant = clock.now + .seconds(10),
        key: StatementBatchKey = key, runs: FakeRuns
    ) -> Task<String?, any Error> {
        Task { try await batcher.answer([.int4(value)], due: due, key: key, run: runs.run).map { String(buffer: $0) } }
    }

    /// The dues of these tests' requests, on a clock nothing moves.
    static let clock = AnyClock(ManualClock())

    static func waitFor(_ condition: () -> Bool) async {
        _ = await eventually(condition)
    }

    @Test func requestsThatFindTheBatchesRunningShareTheNextOne() async throws {
        let batcher = ReadBatcher(concurrency: 1)
        let runs = FakeRuns()
        let first = Self.ask(batcher, 1, runs: runs)
        await Self.waitFor { runs.batches.count == 1 }
        let others = (2...6).map { Self.ask(batcher, Int32($0), runs: runs) }
        await Self.waitFor { batcher.waiting(for: Self.key) == 5 }
        #expect(runs.batches.count == 1, "nobody runs while the only batch allowed is running")
        runs.release()
        #expect(try await first.value == "answer 1")
        for (index, other) in others.enumerated() { #expect(try await other.value == "answer \(index + 2)") }
        #expect(runs.batches.count == 2)
        #expect(runs.batches.last.map(Set.init) == Set(2...6))
        #expect(batcher.counts == (batches: 2, requests: 6))
        #expect(batcher.waiting(for: Self.key) == 0)
    }

    @Test func aMemberThatFindsNoRowGetsNoneAndTheOthersTheirs() async throws {
        let batcher = ReadBatcher(concurrency: 1)
        let runs = FakeRuns()
        let first = Self.ask(batcher, 1, runs: runs)
        await Self.waitFor { runs.batches.count == 1 }
        let missing = Self.ask(batcher, -7, runs: runs)
        let found = Self.ask(batcher, 8, runs: runs)
        await Self.waitFor { batcher.waiting(for: Self.key) == 2 }
        runs.release()
        _ = try await first.value
        #expect(try await missing.value == nil)
        #expect(try await found.value == "answer 8")
    }

    @Test func aBatchMustEndByTheEarliestDeadlineOfItsMembers() async throws {
        let batcher = ReadBatcher(concurrency: 1)
        let runs = FakeRuns()
        let start = Self.clock.now
        let first = Self.ask(batcher, 1, due: start + .seconds(30), runs: runs)
        await Self.waitFor { runs.batches.count == 1 }
        let later = Self.ask(batcher, 2, due: start + .seconds(20), runs: runs)
        await Self.waitFor { batcher.waiting(for: Self.key) == 1 }
        let sooner = Self.ask(batcher, 3, due: start + .seconds(10), runs: runs)
        await Self.waitFor { batcher.waiting(for: Self.key) == 2 }
        runs.release()
        _ = try await (first.value, later.value, sooner.value)
        #expect(runs.dues == [start + .seconds(30), start + .seconds(10)])
    }

    @Test func aFailedBatchFailsEveryMember() async throws {
        let batcher = ReadBatcher(concurrency: 1)
        let runs = FakeRuns(failing: true)
        let first = Self.ask(batcher, 1, runs: runs)
        await Self.waitFor { runs.batches.count == 1 }
        let others = (2...3).map { Self.ask(batcher, Int32($0), runs: runs) }
        await Self.waitFor { batcher.waiting(for: Self.key) == 2 }
        runs.release()
        for task in [first] + others {
            await #expect(throws: StoreError.unavailable) { try await task.value }
        }
    }

    @Test func kindsDoNotWaitForEachOther() async throws {
        let batcher = ReadBatcher(concurrency: 1)
        let runs = FakeRuns()
        let first = Self.ask(batcher, 1, runs: runs)
        await Self.waitFor { runs.batches.count == 1 }
        let other = Self.ask(batcher, 2, key: Self.otherKey, runs: runs)
        await Self.waitFor { runs.batches.count == 2 }
        #expect(runs.batches == [[1], [2]], "the other kind ran at once, not after the first")
        #expect(batcher.waiting(for: Self.key) == 0 && batcher.waiting(for: Self.otherKey) == 0)
        runs.release()
        _ = try await (first.value, other.value)
    }

    @Test func aBatchAnswersAtMostItsMaximumSize() async throws {
        let batcher = ReadBatcher(concurrency: 1, maximumSize: 3)
        let runs = FakeRuns()
        let first = Self.ask(batcher, 1, runs: runs)
        await Self.waitFor { runs.batches.count == 1 }
        let others = (2...8).map { Self.ask(batcher, Int32($0), runs: runs) }
        await Self.waitFor { batcher.waiting(for: Self.key) == 7 }
        runs.release()
        _ = try await first.value
        for other in others { _ = try await other.value }
        #expect(runs.batches.map(\.count) == [1, 3, 3, 1])
    }
}
