@testable import AtelierAPI
@testable import AtelierStore
import AtelierTestSupport
import Foundation
import Testing

/// A JSON body from key/value pairs, for POST tests.
@Suite struct ReviewRouteTests {
    static var validReview: [String: Any] {
        [
            "product_id": 2, "rating": 4, "summary": "Fits well", "body": "Comfortable and practical.",
            "recommend": true,
            "name": "shortandsweeet", "email": "first.last@gmail.com",
            "photos": [
                "https://images.unsplash.com/photo-1?w=668&q=80", "https://images.unsplash.com/photo-2?w=668&q=80",
            ],
            "characteristics": ["5": 4, "6": 2, "7": 5],
        ]
    }

    @Test func everyProductsReviewsInEverySortAndPage() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            for id in 1...30 {
                let plain = try await client.get("/reviews?product_id=\(id)")
                #expect(plain.json == expected.reviews(id), "product \(id)")
                for sort in ["newest", "helpful", "relevant"] {
                    for page in 1...3 {
                        let answer = try await client.get("/reviews?product_id=\(id)&sort=\(sort)&page=\(page)&count=2")
                        #expect(
                            answer.json == expected.reviews(id, page: page, count: 2, sort: sort),
                            "product \(id) \(sort) page \(page)")
                    }
                }
            }
        }
    }

    @Test func newestAndHelpfulOrderDiffer() async throws {
        // Product 2: review 3 is the newest (2021) but the least helpful (3); 4 and 5 have 4 and 5.
        try await APIHarness.withSamples { client, _ in
            let ids = { (answer: JSONResponse) in answer.json?["results"]?.array?.compactMap { $0["review_id"] } }
            let newest = try await client.get("/reviews?product_id=2&sort=newest")
            #expect(ids(newest) == [.integer(3), .integer(5), .integer(4)])
            let helpful = try await client.get("/reviews?product_id=2&sort=helpful")
            #expect(ids(helpful) == [.integer(5), .integer(4), .integer(3)])
            let relevant = try await client.get("/reviews?product_id=2")
            #expect(ids(relevant) == [.integer(5), .integer(4), .integer(3)])
        }
    }

    @Test func everyProductsMeta() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            for id in 1...30 {
                let answer = try await client.get("/reviews/meta?product_id=\(id)")
                #expect(answer.status == .ok)
                #expect(answer.json == expected.meta(id), "product \(id)")
            }
            // Characteristic 10 is never rated: null, not "0".
            let product3 = try await client.get("/reviews/meta?product_id=3")
            #expect(product3.json?["characteristics"]?["Comfort"] == .object(["id": .integer(10), "value": .null]))
        }
    }

    @Test func reportedReviewsLeaveTheListAndTheMeta() async throws {
        let samples = try Samples.answers
        let reported = samples.catalog["reviews"].filter { $0.bool("reported") }.map { $0.int("id") }
        #expect(reported == [8, 16, 24, 32, 40, 48, 56, 64, 72, 80])
        try await APIHarness.withSamples { client, _ in
            var expected = samples
            // Review 8 (product 3) was exported as reported: it is in neither answer.
            let list = try await client.get("/reviews?product_id=3&count=100")
            #expect(list.json?["results"]?.array?.contains { $0["review_id"] == .integer(8) } == false)
            // Reporting review 9 hides it from both, at once.
            let put = try await client.put("/reviews/9/report")
            #expect(put.status == .noContent)
            #expect(put.json == nil)
            expected.mark("reviews", 9, reported: true)
            let after = try await client.get("/reviews?product_id=3&count=100")
            #expect(after.json == expected.reviews(3, count: 100))
            #expect(after.json?["results"]?.array?.count == 2)
            let meta = try await client.get("/reviews/meta?product_id=3")
            #expect(meta.json == expected.meta(3))
        }
    }

    @Test func aPostedReviewShowsAtOnceInTheListAndTheMeta() async throws {
        let samples = try Samples.answers
        try await APIHarness.withSamples { client, database in
            var expected = samples
            let posted = try await client.post("/reviews", jsonBody(Self.validReview))
            #expect(posted.status == .created)
            // Ids continue the loaded ones: the loader set the sequences.
            #expect(posted.json == .object(["id": .integer(85)]))
            #expect(try database.value("SELECT count(*) FROM reviews_photos WHERE review_id = 85") == "2")

            let list = try await client.get("/reviews?product_id=2&sort=newest")
            guard case .string(let date)? = list.json?["results"]?.array?.first?["date"],
                let micros = ISO8601Micros.parse(date)
            else {
                Issue.record("the new review is not first, or has no date: \(String(describing: list.json))")
                return
            }
            #expect(abs(Date().timeIntervalSince1970 - Double(micros) / 1e6) < 120)
            expected.catalog["reviews"].append(
                .init(values: [
                    "id": .int(85), "product_id": .int(2), "rating": .int(4), "date": .micros(micros),
                    "summary": .text("Fits well"),
                    "body": .text("Comfortable and practical."), "recommend": .bool(true), "reported": .bool(false),
                    "reviewer_name": .text("shortandsweeet"), "reviewer_email": .text("first.last@gmail.com"),
                    "response": .null,
                    "helpfulness": .int(0),
                ]))
            expected.catalog["reviews_photos"] += [
                .init(values: [
                    "id": .int(43), "review_id": .int(85),
                    "url": .text("https://images.unsplash.com/photo-1?w=668&q=80"),
                ]),
                .init(values: [
                    "id": .int(44), "review_id": .int(85),
                    "url": .text("https://images.unsplash.com/photo-2?w=668&q=80"),
                ]),
            ]
            expected.catalog["characteristic_reviews"] += [(268, 5, 4), (269, 6, 2), (270, 7, 5)].map {
                .init(values: [
                    "id": .int($0.0), "characteristic_id": .int($0.1), "review_id": .int(85), "value": .int($0.2),
                ])
            }
            #expect(list.json == expected.reviews(2, sort: "newest"))
            let meta = try await client.get("/reviews/meta?product_id=2")
            #expect(meta.json == expected.meta(2))
        }
    }

    @Test func sqlLookingInputIsStoredLiterally() async throws {
        var review = Self.validReview
        review["body"] = "Robert'); DROP TABLE reviews;--"
        review["name"] = "x' OR '1'='1"
        review["summary"] = "$1 \\\\ %s"
        let body = jsonBody(review)
        try await APIHarness.withSamples { client, _ in
            let posted = try await client.post("/reviews", body)
            #expect(posted.status == .created)
            let list = try await client.get("/reviews?product_id=2&sort=newest&count=1")
            let first = list.json?["results"]?.array?.first
            #expect(first?["body"] == .string("Robert'); DROP TABLE reviews;--"))
            #expect(first?["reviewer_name"] == .string("x' OR '1'='1"))
            #expect(first?["summary"] == .string("$1 \\\\ %s"))
            let injected = try await client.get("/reviews?product_id=2%20OR%201=1")
            #expect(injected.status.code == 422)
        }
    }

    @Test func oneHundredConcurrentHelpfulVotesAddExactlyOneHundred() async throws {
        try await APIHarness.withSamples { client, database in
            let before = try #require(Int(database.value("SELECT helpfulness FROM reviews WHERE id = 1") ?? ""))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<100 { group.addTask { try await client.put("/reviews/1/helpful").status.code } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 204, count: 100))
            #expect(try database.value("SELECT helpfulness FROM reviews WHERE id = 1") == String(before + 100))
        }
    }

    @Test(arguments: [
        ("/reviews", 422, "product_id is required"),
        ("/reviews?product_id=abc", 422, "invalid product_id provided"),
        ("/reviews?product_id=0", 422, "invalid product_id provided"),
        ("/reviews?product_id=31", 404, "product_id names no product"),
        ("/reviews?product_id=2&sort=best", 422, "sort must be one of newest, helpful, relevant"),
        ("/reviews?product_id=2&page=0", 422, "page must be a positive integer no larger than 9007199254740991"),
        ("/reviews?product_id=2&count=-5", 422, "count must be a positive integer"),
        ("/reviews/meta", 422, "product_id is required"),
        ("/reviews/meta?product_id=x", 422, "invalid product_id provided"),
        ("/reviews/meta?product_id=999", 404, "product_id names no product"),
    ])
    func badReadsAreJSONErrors(uri: String, status: Int, message: String) async throws {
        try await APIHarness.withSamples { client, _ in
            let answer = try await client.get(uri)
            answer.expectError(status, message)
        }
    }

    @Test(arguments: [
        ("product_id", "null", 422, "product_id is required"),
        ("product_id", #""2""#, 422, "product_id must be an integer from 1 to 2147483647"),
        ("product_id", "999", 404, "product_id names no product"),
        ("rating", "0", 422, "rating must be an integer from 1 to 5"),
        ("rating", "6", 422, "rating must be an integer from 1 to 5"),
        ("rating", "4.5", 422, "rating must be an integer from 1 to 5"),
        ("summary", "\"\(String(repeating: "s", count: 61))\"", 422, "summary must be at most 60 characters"),
        ("body", #""""#, 422, "body must be 1 to 1000 characters"),
        ("body", "\"\(String(repeating: "é", count: 1001))\"", 422, "body must be 1 to 1000 characters"),
        (
            "body", #""nul \u0000 inside""#, 422,
            "body must not contain NUL or control characters other than tabs and line breaks"
        ),
        (
            "body", #""bell \u0007 inside""#, 422,
            "body must not contain NUL or control characters other than tabs and line breaks"
        ),
        ("summary", #""nul \u0000""#, 422, "summary must not contain NUL or control characters"),
        ("summary", #""two\nlines""#, 422, "summary must not contain NUL or control characters"),
        ("name", #""esc \u001b[31m""#, 422, "name must not contain NUL or control characters"),
        ("name", #""c1 \u0085""#, 422, "name must not contain NUL or control characters"),
        ("email", #""a\u0000@b.co""#, 422, "email must not contain NUL or control characters"),
        (
            "photos", #"["https://x.com/a\u0000.jpg"]"#, 422,
            "photos must hold http or https URLs of at most 2048 characters"
        ),
        (
            "photos", #"["https://x.com/a\u0007.jpg"]"#, 422,
            "photos must hold http or https URLs of at most 2048 characters"
        ),
        ("recommend", #""yes""#, 422, "recommend must be true or false"),
        ("name", #""""#, 422, "name must be 1 to 60 characters"),
        ("name", "12", 422, "name must be a string"),
        ("email", #""not-an-address""#, 422, "email must be a valid email address"),
        ("email", #""a b@c.de""#, 422, "email must be a valid email address"),
        ("email", "\"\(String(repeating: "a", count: 55))@b.com\"", 422, "email must be 1 to 60 characters"),
        ("photos", #""https://x.com/a.jpg""#, 422, "photos must be a list of at most 5 URLs"),
        (
            "photos", "[" + Array(repeating: #""https://x.com/a.jpg""#, count: 6).joined(separator: ",") + "]", 422,
            "photos must be a list of at most 5 URLs"
        ),
        ("photos", #"["javascript:alert(1)"]"#, 422, "photos must hold http or https URLs of at most 2048 characters"),
        ("characteristics", #"{"1": 4}"#, 422, "characteristics 1 do not belong to product 2"),
        ("characteristics", #"{"5": 6}"#, 422, "characteristics values must be integers from 1 to 5"),
        ("characteristics", #"{"five": 3}"#, 422, "characteristics keys must be ids, not \"five\""),
        ("characteristics", "[5, 3]", 422, "characteristics must be an object of at most 50 id: rating entries"),
    ])
    func everyReviewFieldIsChecked(field: String, value: String, status: Int, message: String) async throws {
        var review = Self.validReview
        review[field] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        let body = jsonBody(review)
        try await APIHarness.withSamples { client, database in
            let answer = try await client.post("/reviews", body)
            answer.expectError(status, message)
            #expect(try database.value("SELECT count(*) FROM reviews") == "84")
        }
    }

    @Test func aMissingFieldIsNamed() async throws {
        try await APIHarness.withSamples { client, _ in
            for field in ["product_id", "rating", "body", "recommend", "name", "email"] {
                var review = Self.validReview
                review.removeValue(forKey: field)
                let answer = try await client.post("/reviews", jsonBody(review))
                answer.expectError(422, "\(field) is required")
            }
            var minimal = Self.validReview
            for optional in ["summary", "photos", "characteristics"] { minimal.removeValue(forKey: optional) }
            let answer = try await client.post("/reviews", jsonBody(minimal))
            #expect(answer.status == .created)
        }
    }

    @Test func malformedAndOversizeBodies() async throws {
        try await APIHarness.withSamples { client, _ in
            let notJSON = try await client.post("/reviews", "{\"product_id\": 2,")
            notJSON.expectError(400, "the request body is not valid JSON")
            let empty = try await client.post("/reviews", "")
            #expect(empty.status.code == 400)
            let array = try await client.post("/reviews", "[1, 2]")
            array.expectError(422, "the request body must be a JSON object")
            var big = Self.validReview
            big["body"] = String(repeating: "x", count: 70_000)
            let oversize = try await client.post("/reviews", jsonBody(big))
            oversize.expectError(413, "the request body is larger than 64 KiB")
        }
    }

    @Test func helpfulAndReportNameUnknownAndInvalidIDs() async throws {
        try await APIHarness.withSamples { client, _ in
            for path in [
                "/reviews/%@/helpful", "/reviews/%@/report", "/qa/questions/%@/helpful", "/qa/questions/%@/report",
                "/qa/answers/%@/helpful", "/qa/answers/%@/report",
            ] {
                let unknown = try await client.put(path.replacingOccurrences(of: "%@", with: "99999"))
                #expect(unknown.status.code == 404, "\(path)")
                let invalid = try await client.put(path.replacingOccurrences(of: "%@", with: "x1"))
                #expect(invalid.status.code == 404, "\(path)")
                #expect(invalid.error?.hasSuffix("'x1' names nothing") == true)
                let known = try await client.put(path.replacingOccurrences(of: "%@", with: "2"))
                #expect(known.status == .noContent, "\(path)")
            }
        }
    }
}

/// Reads the API's ISO 8601 dates back into microseconds.
enum ISO8601Micros {
    static func parse(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded()) * 1000
    }
}
