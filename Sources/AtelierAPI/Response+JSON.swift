import Foundation
import Hummingbird

extension Response {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON answer whose bytes are already built (by the database, for every GET).
    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: jsonContentType], body: ResponseBody(byteBuffer: body))
    }

    /// `{"error": "..."}` with the error's status.
    static func error(_ error: APIError) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let body = (try? encoder.encode(["error": error.message])) ?? Data(#"{"error":"error"}"#.utf8)
        return json(ByteBuffer(bytes: body), status: error.status)
    }

    /// 201 with `{"id": <the new row's id>}`, the answer to every POST.
    static func created(id: some BinaryInteger) -> Response {
        json(ByteBuffer(string: "{\"id\":\(id)}"), status: .created)
    }
}
