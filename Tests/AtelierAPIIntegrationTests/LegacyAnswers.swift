@testable import AtelierAPI
@testable import AtelierStore
import Foundation

/// What the legacy API answers for the sample rows: each route's JSON, worked out in Swift from
/// `SampleCatalog` by the rules of the API contract (orderings, pagination, hiding, formats).
struct LegacyAnswers: Sendable {
    var catalog: SampleCatalog

    typealias Row = SampleCatalog.Row

    // MARK: Products

    func products(page: Int = 1, count: Int = 5) -> JSONValue {
        .array(paged(catalog["product"].sorted { $0.int("id") < $1.int("id") }, page, count).map(product))
    }

    func product(_ id: Int) -> JSONValue? {
        guard let row = catalog["product"].first(where: { $0.int("id") == id }), case .object(var fields) = product(row)
        else { return nil }
        fields["features"] = .array(
            children("features", "product_id", id).map {
                .object(["feature": string($0.text("feature")), "value": string($0.text("value"))])
            })
        return .object(fields)
    }

    func styles(_ productID: Int) -> JSONValue {
        .object([
            "product_id": .string(String(productID)),
            "results": .array(
                children("styles", "product_id", productID).map { style in
                    let photos = children("photos", "style_id", style.int("id")).map {
                        JSONValue.object([
                            "thumbnail_url": string($0.text("thumbnail_url")), "url": string($0.text("url")),
                        ])
                    }
                    var skus: [String: JSONValue] = [:]
                    for sku in children("skus", "style_id", style.int("id")) {
                        skus[String(sku.int("id"))] = .object([
                            "quantity": .integer(sku.int("quantity")), "size": string(sku.text("size")),
                        ])
                    }
                    return .object([
                        "style_id": .integer(style.int("id")), "name": string(style.text("name")),
                        "original_price": price(style.cents("original_price")),
                        "sale_price": price(style.cents("sale_price")),
                        "default?": .bool(style.bool("default_style")),
                        "photos": photos.isEmpty
                            ? .array([.object(["thumbnail_url": .null, "url": .null])]) : .array(photos),
                        "skus": skus.isEmpty
                            ? .object(["null": .object(["quantity": .null, "size": .null])]) : .object(skus),
                    ])
                }),
        ])
    }

    func related(_ productID: Int) -> JSONValue {
        .array(children("related", "current_product_id", productID).map { .integer($0.int("related_product_id")) })
    }

    // MARK: Reviews

    /// The product's listed reviews in `sort` order: (helpfulness unless newest) desc, date desc, id desc.
    func listedReviews(_ productID: Int, sort: String = "relevant") -> [Row] {
        children("reviews", "product_id", productID).filter { !$0.bool("reported") }.sorted { a, b in
            let keyA = (sort == "newest" ? 0 : a.int("helpfulness"), a.micros("date"), a.int("id"))
            let keyB = (sort == "newest" ? 0 : b.int("helpfulness"), b.micros("date"), b.int("id"))
            return keyA > keyB
        }
    }

    func reviews(_ productID: Int, page: Int = 1, count: Int = 5, sort: String = "relevant") -> JSONValue {
        .object([
            "product": .string(String(productID)), "page": .integer(page), "count": .integer(count),
            "results": .array(
                paged(listedReviews(productID, sort: sort), page, count).map { review in
                    .object([
                        "review_id": .integer(review.int("id")), "rating": .integer(review.int("rating")),
                        "summary": string(review.text("summary")), "recommend": .bool(review.bool("recommend")),
                        "response": string(review.text("response")), "body": string(review.text("body")),
                        "date": .string(Self.isoDate(review.micros("date"))),
                        "reviewer_name": string(review.text("reviewer_name")),
                        "helpfulness": .integer(review.int("helpfulness")),
                        "photos": .array(
                            children("reviews_photos", "review_id", review.int("id")).map {
                                .object(["id": .integer($0.int("id")), "url": string($0.text("url"))])
                            }),
                    ])
                }),
        ])
    }

    func meta(_ productID: Int) -> JSONValue {
        let listed = listedReviews(productID)
        let listedIDs = Set(listed.map { $0.int("id") })
        var ratings: [String: JSONValue] = [:]
        for (stars, group) in Dictionary(grouping: listed, by: { $0.int("rating") }) {
            ratings[String(stars)] = .string(String(group.count))
        }
        let recommended = listed.filter { $0.bool("recommend") }.count
        var characteristics: [String: JSONValue] = [:]
        for characteristic in children("characteristics", "product_id", productID) {
            let values = catalog["characteristic_reviews"]
                .filter {
                    $0.int("characteristic_id") == characteristic.int("id") && listedIDs.contains($0.int("review_id"))
                }
                .map { $0.int("value") }
            characteristics[characteristic.text("name")!] = .object([
                "id": .integer(characteristic.int("id")),
                "value": values.isEmpty ? .null : .string(Self.average(values)),
            ])
        }
        return .object([
            "product_id": .string(String(productID)), "ratings": .object(ratings),
            "recommended": .object([
                "false": .string(String(listed.count - recommended)), "true": .string(String(recommended)),
            ]),
            "characteristics": .object(characteristics),
        ])
    }

    // MARK: Questions and answers

    func listedAnswers(_ questionID: Int) -> [Row] {
        children("answers", "question_id", questionID).filter { !$0.bool("reported") }
            .sorted { ($0.int("helpful"), -$0.int("id")) > ($1.int("helpful"), -$1.int("id")) }
    }

    func questions(_ productID: Int, page: Int = 1, count: Int = 5) -> JSONValue {
        let listed = children("questions", "product_id", productID).filter { !$0.bool("reported") }
            .sorted { ($0.int("helpful"), -$0.int("id")) > ($1.int("helpful"), -$1.int("id")) }
        return .object([
            "product_id": .string(String(productID)),
            "results": .array(
                paged(listed, page, count).map { question in
                    var answers: [String: JSONValue] = [:]
                    for answer in listedAnswers(question.int("id")) {
                        answers[String(answer.int("id"))] = .object([
                            "id": .integer(answer.int("id")), "body": string(answer.text("body")),
                            "date": .string(Self.isoDate(answer.micros("date_written"))),
                            "answerer_name": string(answer.text("answerer_name")),
                            "helpfulness": .integer(answer.int("helpful")),
                            "photos": .array(
                                children("answers_photos", "answer_id", answer.int("id")).map { string($0.text("url")) }
                            ),
                        ])
                    }
                    return .object([
                        "question_id": .integer(question.int("id")), "question_body": string(question.text("body")),
                        "question_date": .string(Self.isoDate(question.micros("date_written"))),
                        "asker_name": string(question.text("asker_name")),
                        "question_helpfulness": .integer(question.int("helpful")), "reported": .bool(false),
                        "answers": .object(answers),
                    ])
                }),
        ])
    }

    func answers(_ questionID: Int, page: Int = 1, count: Int = 5) -> JSONValue {
        .object([
            "question": .string(String(questionID)), "page": .integer(page), "count": .integer(count),
            "results": .array(
                paged(listedAnswers(questionID), page, count).map { answer in
                    .object([
                        "answer_id": .integer(answer.int("id")), "body": string(answer.text("body")),
                        "date": .string(Self.isoDate(answer.micros("date_written"))),
                        "answerer_name": string(answer.text("answerer_name")),
                        "helpfulness": .integer(answer.int("helpful")),
                        "photos": .array(
                            children("answers_photos", "answer_id", answer.int("id")).map {
                                .object(["id": .integer($0.int("id")), "url": string($0.text("url"))])
                            }),
                    ])
                }),
        ])
    }

    // MARK: Cart

    func cart(_ session: Int) -> JSONValue {
        let active = catalog["cart"].filter { $0.int("user_session") == session && $0.bool("active") }
        return .array(
            Dictionary(grouping: active, by: { $0.int("product_id") }).sorted { $0.key < $1.key }.map {
                .object(["sku_id": .integer($0.key), "count": .integer($0.value.count)])
            })
    }

    // MARK: Formats

    /// ISO 8601 in UTC with milliseconds, as the legacy service wrote dates.
    static func isoDate(_ micros: Int64) -> String {
        let seconds = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let whole = seconds.remainder < 0 ? seconds.quotient - 1 : seconds.quotient
        let millis = (micros - whole * 1_000_000) / 1000
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(whole)))
            + String(format: ".%03dZ", millis)
    }

    /// The mean to 16 decimals, rounded half up: `[3, 3, 4, 3]` → `"3.2500000000000000"`.
    static func average(_ values: [Int]) -> String {
        let scale: Int128 = 10_000_000_000_000_000
        let sum = Int128(values.reduce(0, +)), count = Int128(values.count)
        let scaled = (2 * sum * scale + count) / (2 * count)
        let fraction = String(scaled % scale)
        return "\(scaled / scale)." + String(repeating: "0", count: 16 - fraction.count) + fraction
    }

    private func product(_ row: Row) -> JSONValue {
        .object([
            "id": .integer(row.int("id")), "name": string(row.text("name")), "slogan": string(row.text("slogan")),
            "description": string(row.text("description")), "category": string(row.text("category")),
            "default_price": price(row.cents("default_price")),
        ])
    }

    private func children(_ table: String, _ column: String, _ parent: Int) -> [Row] {
        catalog[table].filter { $0.int(column) == parent }.sorted { $0.int("id") < $1.int("id") }
    }

    private func paged(_ rows: [Row], _ page: Int, _ count: Int) -> [Row] {
        Array(rows.dropFirst((page - 1) * count).prefix(count))
    }

    private func string(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    private func price(_ cents: Int64?) -> JSONValue {
        guard let cents else { return .null }
        return .string("\(cents / 100)." + String(format: "%02d", Int(cents % 100)))
    }
}
