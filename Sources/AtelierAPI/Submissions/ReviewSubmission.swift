/// A `POST /reviews` body, checked field by field.
struct ReviewSubmission: Sendable, Equatable {
    /// A product has a handful of characteristics; more entries than this cannot all belong.
    static let maximumCharacteristics = 50

    let productID: Int32
    let rating: Int
    let summary: String
    let body: String
    let recommend: Bool
    let name: String
    let email: String
    let photos: [String]
    /// Characteristic id → rating 1–5; each id must belong to the product (checked against
    /// the database when the review is stored).
    let characteristics: [Int32: Int16]

    /// `summary` may be left out (stored empty); `photos` and `characteristics` may be left out.
    init(_ body: RequestBody) throws(APIError) {
        productID = try body.id("product_id")
        rating = try body.integer("rating", in: 1...5)
        summary = try body.text("summary", length: 0...60, fallback: "")
        self.body = try body.text("body", length: FieldRules.bodyLength, multiline: true)
        recommend = try body.bool("recommend")
        name = try body.text("name", length: FieldRules.nameLength)
        email = try body.email("email")
        photos = try body.urls("photos", maximum: FieldRules.maximumPhotos)
        characteristics = try body.ratings("characteristics", values: 1...5, maximumCount: Self.maximumCharacteristics)
    }
}
