/// A `POST /qa/questions` body, checked (`AtelierAPI` reads it from the request). Helpfulness
/// and the reported flag are not taken from the client: a question starts at 0 and listed.
package struct QuestionSubmission: Sendable, Equatable {
    package let body: String
    package let name: String
    package let email: String
    package let productID: Int32

    package init(body: String, name: String, email: String, productID: Int32) {
        self.body = body
        self.name = name
        self.email = email
        self.productID = productID
    }
}
