@testable import AtelierStore
import AtelierCatalog
import Foundation
import PostgresNIO
import Testing

/// Every write a route sends, so that none escapes the check below.
private func everyWrite() -> [Write] {
    let body = String(repeating: "a", count: 60)
    let review = ReviewSubmission(
        productID: 1, rating: 5, summary: "", body: body, recommend: true, name: "n", email: "n@example.com",
        photos: ["https://example.com/a.jpg"], characteristics: [1: 5])
    let question = QuestionSubmission(body: body, name: "n", email: "n@example.com", productID: 1)
    let answer = AnswerSubmission(body: body, name: "n", email: "n@example.com", photos: ["https://example.com/a.jpg"])
    let feedback = [FeedbackQueries.Target.review, .question, .answer].flatMap { target in
        [FeedbackQueries.Action.helpful, .report].flatMap { action in
            let kind = FeedbackQueries.Kind(target: target, action: action)
            let single = FeedbackQueries.single(kind, id: 1)
            // The group's SQL must write what its PUT's single statement writes.
            let group = Write(
                query: PostgresQuery(unsafeSQL: FeedbackQueries.groupSQL(kind)), tablesWritten: single.tablesWritten)
            return [single, group]
        }
    }
    return [
        ReviewQueries.insert(review), QuestionQueries.insertQuestion(question),
        QuestionQueries.insertAnswer(answer, questionID: 1), CartQueries.add(skuID: 1, session: 1),
    ] + feedback
}

@Suite struct WriteTests {
    /// A table written but not listed would leave this server's cached answers stale until the
    /// notification arrives; the list must name exactly the tables the SQL inserts into or updates.
    @Test func tablesWrittenAreExactlyTheTablesInTheSQL() throws {
        let regex = try NSRegularExpression(pattern: #"\b(?:INSERT\s+INTO|UPDATE)\s+([a-z_]+)"#)
        for write in everyWrite() {
            let sql = write.query.sql
            let named = Set(
                regex.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)).compactMap { match in
                    Range(match.range(at: 1), in: sql).map { String(sql[$0]) }
                })
            #expect(!named.isEmpty, "\(sql)")
            #expect(Set(write.tablesWritten.map(\.rawValue)) == named, "\(sql)")
        }
    }
}
