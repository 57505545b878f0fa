import AtelierStore

// The POST bodies read from a request, field by field in this order, so that the first field
// that fails names itself in the 422.

extension AnswerSubmission {
    init(_ body: RequestBody) throws(APIError) {
        self.init(
            body: try body.text("body", length: FieldRules.bodyLength, multiline: true),
            name: try body.text("name", length: FieldRules.nameLength), email: try body.email("email"),
            photos: try body.urls("photos", maximum: FieldRules.maximumPhotos))
    }
}

extension QuestionSubmission {
    init(_ body: RequestBody) throws(APIError) {
        self.init(
            body: try body.text("body", length: FieldRules.bodyLength, multiline: true),
            name: try body.text("name", length: FieldRules.nameLength), email: try body.email("email"),
            productID: try body.id("product_id"))
    }
}

extension InteractionSubmission {
    init(_ body: RequestBody) throws(APIError) {
        self.init(
            element: try body.text("element", length: 1...Self.maximumLength),
            widget: try body.text("widget", length: 1...Self.maximumLength),
            time: try body.text("time", length: 1...Self.maximumLength))
    }
}

extension ReviewSubmission {
    /// `summary` may be left out (stored empty); `photos` and `characteristics` may be left out.
    init(_ body: RequestBody) throws(APIError) {
        self.init(
            productID: try body.id("product_id"), rating: try body.integer("rating", in: 1...5),
            summary: try body.text("summary", length: 0...60, fallback: ""),
            body: try body.text("body", length: FieldRules.bodyLength, multiline: true),
            recommend: try body.bool("recommend"), name: try body.text("name", length: FieldRules.nameLength),
            email: try body.email("email"), photos: try body.urls("photos", maximum: FieldRules.maximumPhotos),
            characteristics: try body.ratings(
                "characteristics", values: 1...5, maximumCount: Self.maximumCharacteristics))
    }
}
