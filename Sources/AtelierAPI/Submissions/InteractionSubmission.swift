/// A `POST /interactions` body: three non-empty strings, stored as written.
struct InteractionSubmission: Sendable, Equatable {
    static let maximumLength = 1000

    let element: String
    let widget: String
    let time: String

    init(_ body: RequestBody) throws(APIError) {
        element = try body.text("element", length: 1...Self.maximumLength)
        widget = try body.text("widget", length: 1...Self.maximumLength)
        time = try body.text("time", length: 1...Self.maximumLength)
    }
}
