@testable import AtelierAPI
@testable import AtelierStore
import AtelierTestSupport
import Foundation
import Testing

@Suite struct QuestionRouteTests {
    @Test func everyProductsQuestionsWithTheirAnswers() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            for id in 1...30 {
                let plain = try await client.get("/qa/questions?product_id=\(id)")
                #expect(plain.json == expected.questions(id), "product \(id)")
                for page in 1...3 {
                    let answer = try await client.get("/qa/questions?product_id=\(id)&page=\(page)&count=2")
                    #expect(answer.json == expected.questions(id, page: page, count: 2), "product \(id) page \(page)")
                }
            }
            // Question 2's body keeps its quotes, comma, newline and non-ASCII text.
            let product1 = try await client.get("/qa/questions?product_id=1")
            let bodies = product1.json?["results"]?.array?.compactMap { $0["question_body"] }
            #expect(bodies?.contains(.string("Does it run \"small\", large,\nor true to size? ¿Sí?")) == true)
        }
    }

    @Test func everyQuestionsAnswersInEveryPage() async throws {
        let expected = try Samples.answers
        let questionIDs = expected.catalog["questions"].map { $0.int("id") }
        #expect(questionIDs.count == 72)
        try await APIHarness.withSamples { client, _ in
            for id in questionIDs {
                let plain = try await client.get("/qa/questions/\(id)/answers")
                #expect(plain.json == expected.answers(id), "question \(id)")
                for page in 1...2 {
                    let answer = try await client.get("/qa/questions/\(id)/answers?page=\(page)&count=1")
                    #expect(answer.json == expected.answers(id, page: page, count: 1), "question \(id) page \(page)")
                }
            }
            // Answer 1 was exported with an ISO 8601 date: kept to the millisecond.
            let first = try await client.get("/qa/questions/1/answers")
            #expect(first.json?["results"]?.array?.first?["date"] == .string("2020-05-01T10:20:30.123Z"))
        }
    }

    @Test func reportedQuestionsAndAnswersAreNeverListed() async throws {
        let samples = try Samples.answers
        #expect(
            samples.catalog["questions"].filter { $0.bool("reported") }.map { $0.int("id") } == [
                9, 18, 27, 36, 45, 54, 63, 72,
            ])
        #expect(
            samples.catalog["answers"].filter { $0.bool("reported") }.map { $0.int("id") } == [
                7, 14, 21, 28, 35, 42, 49, 56, 63, 70,
            ])
        try await APIHarness.withSamples { client, _ in
            var expected = samples
            let product3 = try await client.get("/qa/questions?product_id=3&count=100")
            #expect(product3.json?["results"]?.array?.contains { $0["question_id"] == .integer(9) } == false)
            // Reporting question 6 and answer 5 hides them from every list at once.
            let question = try await client.put("/qa/questions/6/report")
            #expect(question.status == .noContent)
            let answer = try await client.put("/qa/answers/5/report")
            #expect(answer.status == .noContent)
            expected.mark("questions", 6, reported: true)
            expected.mark("answers", 5, reported: true)
            let after = try await client.get("/qa/questions?product_id=3&count=100")
            #expect(after.json == expected.questions(3, count: 100))
            let product2 = try await client.get("/qa/questions?product_id=2&count=100")
            #expect(product2.json == expected.questions(2, count: 100))
            let answers = try await client.get("/qa/questions/5/answers")
            #expect(answers.json == expected.answers(5))
        }
    }

    @Test func aPostedQuestionStartsUnhelpfulAndListed() async throws {
        let body = jsonBody([
            "body": "Is it warm?", "name": "Zoë", "email": "zoe@example.com", "product_id": 30,
            "helpful": 99, "reported": true,
        ])
        try await APIHarness.withSamples { client, database in
            let posted = try await client.post("/qa/questions", body)
            #expect(posted.status == .created)
            #expect(posted.json == .object(["id": .integer(73)]))
            let list = try await client.get("/qa/questions?product_id=30")
            let question = list.json?["results"]?.array?.first
            #expect(list.json?["results"]?.array?.count == 1)
            #expect(question?["question_id"] == .integer(73))
            #expect(question?["question_body"] == .string("Is it warm?"))
            #expect(question?["asker_name"] == .string("Zoë"))
            #expect(question?["question_helpfulness"] == .integer(0))
            #expect(question?["reported"] == .bool(false))
            #expect(question?["answers"] == .object([:]))
            #expect(try database.value("SELECT asker_email FROM questions WHERE id = 73") == "zoe@example.com")
        }
    }

    @Test func aPostedAnswerShowsWithItsPhotosInBothLists() async throws {
        let body = jsonBody([
            "body": "Yes, very.", "name": "Seller", "email": "seller@example.com",
            "photos": ["https://images.unsplash.com/a?w=668", "https://images.unsplash.com/b?w=668"],
        ])
        try await APIHarness.withSamples { client, database in
            let posted = try await client.post("/qa/questions/1/answers", body)
            #expect(posted.status == .created)
            #expect(posted.json == .object(["id": .integer(73)]))
            let answers = try await client.get("/qa/questions/1/answers?count=100")
            let answer = answers.json?["results"]?.array?.first { $0["answer_id"] == .integer(73) }
            #expect(answer?["helpfulness"] == .integer(0))
            #expect(answer?["answerer_name"] == .string("Seller"))
            #expect(
                answer?["photos"]
                    == .array([
                        .object(["id": .integer(37), "url": .string("https://images.unsplash.com/a?w=668")]),
                        .object(["id": .integer(38), "url": .string("https://images.unsplash.com/b?w=668")]),
                    ]))
            let questions = try await client.get("/qa/questions?product_id=1&count=100")
            let question = questions.json?["results"]?.array?.first { $0["question_id"] == .integer(1) }
            #expect(
                question?["answers"]?["73"]?["photos"]
                    == .array([
                        .string("https://images.unsplash.com/a?w=668"), .string("https://images.unsplash.com/b?w=668"),
                    ]))
            #expect(try database.value("SELECT count(*) FROM answers_photos WHERE answer_id = 73") == "2")
        }
    }

    @Test func anAnswerWithABadPhotoStoresNothing() async throws {
        let body = jsonBody([
            "body": "Yes.", "name": "Seller", "email": "seller@example.com", "photos": ["ftp://x/y.jpg"],
        ])
        try await APIHarness.withSamples { client, database in
            let posted = try await client.post("/qa/questions/1/answers", body)
            posted.expectError(422, "photos must hold http or https URLs of at most 2048 characters")
            #expect(try database.value("SELECT count(*) FROM answers") == "72")
        }
    }

    @Test(arguments: [
        ("/qa/questions", 422, "product_id is required"),
        ("/qa/questions?product_id=-3", 422, "invalid product_id provided"),
        ("/qa/questions?product_id=31", 404, "product_id names no product"),
        ("/qa/questions?product_id=1&count=0", 422, "count must be a positive integer"),
        ("/qa/questions/abc/answers", 404, "question_id 'abc' names nothing"),
        ("/qa/questions/string/answers", 404, "question_id 'string' names nothing"),
        ("/qa/questions/73/answers", 404, "question_id names no question"),
        ("/qa/questions/1/answers?page=x", 422, "page must be a positive integer no larger than 9007199254740991"),
    ])
    func badQuestionReadsAreJSONErrors(uri: String, status: Int, message: String) async throws {
        try await APIHarness.withSamples { client, _ in
            let answer = try await client.get(uri)
            answer.expectError(status, message)
        }
    }

    @Test(arguments: [
        (
            "/qa/questions", #"{"body": "Q?", "name": "n", "email": "e@x.io", "product_id": 31}"#, 404,
            "product_id names no product"
        ),
        ("/qa/questions", #"{"body": "Q?", "name": "n", "email": "e@x.io"}"#, 422, "product_id is required"),
        ("/qa/questions", #"{"name": "n", "email": "e@x.io", "product_id": 1}"#, 422, "body is required"),
        ("/qa/questions", #"{"body": "Q?", "email": "e@x.io", "product_id": 1}"#, 422, "name is required"),
        ("/qa/questions", #"{"body": "Q?", "name": "n", "product_id": 1}"#, 422, "email is required"),
        (
            "/qa/questions", #"{"body": "Q?", "name": "n", "email": "e@", "product_id": 1}"#, 422,
            "email must be a valid email address"
        ),
        (
            "/qa/questions", #"{"body": "", "name": "n", "email": "e@x.io", "product_id": 1}"#, 422,
            "body must be 1 to 1000 characters"
        ),
        ("/qa/questions", #"{"body": "Q?", "name": "n","#, 400, "the request body is not valid JSON"),
        (
            "/qa/questions/99999/answers", #"{"body": "A", "name": "n", "email": "e@x.io"}"#, 404,
            "question_id names no question"
        ),
        (
            "/qa/questions/0/answers", #"{"body": "A", "name": "n", "email": "e@x.io"}"#, 404,
            "question_id '0' names nothing"
        ),
        (
            "/qa/questions/1/answers", #"{"body": "A", "name": "", "email": "e@x.io"}"#, 422,
            "name must be 1 to 60 characters"
        ),
        (
            "/qa/questions/1/answers", #"{"body": "A", "name": "n", "email": "e@x.io", "photos": [1]}"#, 422,
            "photos must hold http or https URLs of at most 2048 characters"
        ),
    ])
    func badQuestionWritesAreJSONErrors(uri: String, body: String, status: Int, message: String) async throws {
        try await APIHarness.withSamples { client, database in
            let answer = try await client.post(uri, body)
            answer.expectError(status, message)
            #expect(
                try database.value("SELECT (SELECT count(*) FROM questions) + (SELECT count(*) FROM answers)") == "144")
        }
    }
}

extension LegacyAnswers {
    /// Sets a row's reported flag, as a PUT …/report does.
    mutating func mark(_ table: String, _ id: Int, reported: Bool) {
        guard let index = catalog[table].firstIndex(where: { $0.int("id") == id }) else { return }
        catalog[table][index].values["reported"] = .bool(reported)
    }
}
