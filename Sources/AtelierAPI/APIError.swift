import AtelierStore
import HTTPTypes

/// Everything the API answers with an error: a status and a message for the person reading
/// the client's logs, sent as `{"error": "<message>"}` (the legacy service's shape).
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// 422: a query or body parameter is missing or invalid; the message names it.
    public static func invalid(_ message: String) -> APIError { APIError(.unprocessableContent, message) }

    /// 404: an id in the path, or a `product_id`, names nothing.
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    /// 413: the body is over `RequestBody.maximumSize`.
    static let bodyTooLarge = APIError(
        .contentTooLarge, "the request body is larger than \(RequestBody.maximumSize / 1024) KiB")

    static let noProduct = notFound("product_id names no product")
    static let noQuestion = notFound("question_id names no question")

    /// 500: a list statement found no row, which it always does: a bug of ours.
    static let listWithoutRow = APIError(.internalServerError, "internal error")

    /// 503: the database cannot be reached (or did not answer in time).
    public static let databaseUnavailable = APIError(
        .serviceUnavailable, "the database is unavailable, try again shortly")

    /// 503 at once: more requests wait for a database connection than the server queues.
    public static let databaseBusy = APIError(.serviceUnavailable, "the server is busy, try again shortly")

    public var description: String { "\(status.code) \(message)" }
}
