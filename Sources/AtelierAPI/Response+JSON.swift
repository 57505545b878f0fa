import AtelierStore
import Foundation
import HTTPTypes
import Hummingbird

extension Response {
    static let jsonContentType = "application/json; charset=utf-8"

    private static let jsonContentTypeField = HTTPField(name: .contentType, value: jsonContentType)

    /// A JSON answer whose bytes are already built (by the database, for every GET).
    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: jsonHeaders(body), body: ResponseBody(byteBuffer: body))
    }

    /// A GET's answer with its entity tag (`ConditionalGet` answers 304 when it matches).
    static func json(_ body: ByteBuffer, tag: String) -> Response {
        Response(status: .ok, headers: jsonHeaders(body, tag: tag), body: ResponseBody(byteBuffer: body))
    }

    /// The fields of a JSON answer, in one allocation with room for the two Hummingbird adds
    /// (`Date`, `Server`; `CacheHitResponder` adds them itself).
    static func jsonHeaders(_ body: ByteBuffer, tag: String? = nil) -> HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(5)
        headers.append(jsonContentTypeField)
        if let tag { headers.append(HTTPField(name: .eTag, value: tag)) }
        headers.append(HTTPField(name: .contentLength, value: String(body.readableBytes)))
        return headers
    }

    /// Seconds a client is asked to wait before retrying a 503.
    static let retryAfterSeconds = 1

    /// `{"error": "..."}` with the error's status; a 503 always says when to retry.
    static func error(_ error: APIError) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let body = (try? encoder.encode(["error": error.message])) ?? Data(#"{"error":"error"}"#.utf8)
        var response = json(ByteBuffer(bytes: body), status: error.status)
        if error.status == .serviceUnavailable { response.headers[.retryAfter] = String(retryAfterSeconds) }
        return response
    }

    /// 201 with `{"id": <the new row's id>}`, the answer to every POST.
    static func created(id: some BinaryInteger) -> Response {
        json(ByteBuffer(string: "{\"id\":\(id)}"), status: .created)
    }
}
