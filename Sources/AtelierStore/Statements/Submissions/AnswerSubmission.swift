/// A `POST /qa/questions/:question_id/answers` body, checked (`AtelierAPI` reads it from the
/// request).
package struct AnswerSubmission: Sendable, Equatable {
    package let body: String
    package let name: String
    package let email: String
    package let photos: [String]

    package init(body: String, name: String, email: String, photos: [String]) {
        self.body = body
        self.name = name
        self.email = email
        self.photos = photos
    }
}
