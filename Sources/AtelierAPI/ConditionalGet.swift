import AtelierStore
import Hummingbird

/// Answers a GET whose `If-None-Match` names the answer's `ETag` with 304 and no body, so
/// clients and proxies revalidate without downloading again.
enum ConditionalGet {
    /// `response`, or 304 with its tag when `request` already holds it. A request without
    /// `If-None-Match` (most) costs one look at its headers.
    static func answer(_ request: Request, with response: Response) -> Response {
        guard request.headers.contains(.ifNoneMatch), request.method == .get || request.method == .head,
            response.status == .ok, let tag = response.headers[.eTag], let wanted = request.headers[.ifNoneMatch],
            EntityTag.matches(wanted, tag)
        else { return response }
        return Response(status: .notModified, headers: [.eTag: tag])
    }
}
