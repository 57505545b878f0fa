@testable import AtelierAPI
@testable import AtelierStore
import AtelierTestSupport
import Foundation
import Testing

/// Feedback PUTs in groups (`APIDatabase.feedback`) against the loaded samples: each PUT still
/// counts once, and a row another transaction holds locked delays only its own PUTs.
@Suite struct FeedbackGroupTests {
    static let helpfulReview = FeedbackQueries.Kind(target: .review, action: .helpful)

    static func helpfulness(_ database: TestDatabase, _ ids: ClosedRange<Int>) throws -> [Int] {
        try ids.map { id in Int(try database.value("SELECT helpfulness FROM reviews WHERE id = \(id)") ?? "") ?? -1 }
    }

    @Test func concurrentVotesShareGroupsAndEachCountsOnce() async throws {
        let database = try await Samples.copy()
        let before = try Self.helpfulness(database, 1...5)
        try await BatchStatementTests.withAPI(database, deadline: .seconds(10)) { api in
            let found = try await withThrowingTaskGroup(of: Bool.self) { group in
                for vote in 0..<60 {
                    group.addTask { try await api.feedback(Self.helpfulReview, id: Int32(vote % 5 + 1)) }
                }
                group.addTask { try await api.feedback(Self.helpfulReview, id: 999_999) }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(found.filter { $0 }.count == 60, "every vote on a review found it; the unknown id did not")
            let counts = try #require(api.feedbackBatcher).counts
            #expect(counts.requests == 61)
            #expect(counts.batches < 61, "votes shared groups")
        }
        #expect(try Self.helpfulness(database, 1...5) == before.map { $0 + 12 })
    }

    @Test func aLockedRowDelaysOnlyItsOwnVotes() async throws {
        let database = try await Samples.copy()
        let before = try Self.helpfulness(database, 1...3)
        let holder = try database.connect()
        try holder.execute(
            "SET idle_in_transaction_session_timeout = '30s'; BEGIN; SELECT id FROM reviews WHERE id = 1 FOR UPDATE")
        try await BatchStatementTests.withAPI(database, deadline: .seconds(10)) { api in
            async let locked = api.feedback(Self.helpfulReview, id: 1)
            let free = try await withThrowingTaskGroup(of: Bool.self) { group in
                for vote in 0..<20 {
                    group.addTask { try await api.feedback(Self.helpfulReview, id: Int32(vote % 2 + 2)) }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(free == Array(repeating: true, count: 20), "the votes on free rows went through meanwhile")
            #expect(try Self.helpfulness(database, 1...3) == [before[0], before[1] + 10, before[2] + 10])
            try holder.execute("COMMIT")
            #expect(try await locked)
        }
        #expect(try Self.helpfulness(database, 1...1) == [before[0] + 1])
    }
}
