/// A `POST /qa/questions/:question_id/answers` body.
struct AnswerSubmission: Sendable, Equatable {
    let body: String
    let name: String
    let email: String
    let photos: [String]

    init(_ body: RequestBody) throws(APIError) {
        self.body = try body.text("body", length: FieldRules.bodyLength, multiline: true)
        name = try body.text("name", length: FieldRules.nameLength)
        email = try body.email("email")
        photos = try body.urls("photos", maximum: FieldRules.maximumPhotos)
    }
}
