/// A `POST /qa/questions` body. Helpfulness and the reported flag are not taken from the
/// client: a question starts at 0 and listed.
struct QuestionSubmission: Sendable, Equatable {
    let productID: Int32
    let body: String
    let name: String
    let email: String

    init(_ body: RequestBody) throws(APIError) {
        self.body = try body.text("body", length: FieldRules.bodyLength, multiline: true)
        name = try body.text("name", length: FieldRules.nameLength)
        email = try body.email("email")
        productID = try body.id("product_id")
    }
}
