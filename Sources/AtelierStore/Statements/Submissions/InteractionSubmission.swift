/// A `POST /interactions` body: three non-empty strings, stored as written.
package struct InteractionSubmission: Sendable, Equatable {
    package static let maximumLength = 1000

    package let element: String
    package let widget: String
    package let time: String

    package init(element: String, widget: String, time: String) {
        self.element = element
        self.widget = widget
        self.time = time
    }
}
