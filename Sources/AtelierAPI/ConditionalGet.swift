import AtelierStore
import Hummingbird

/// Answers a GET whose `If-None-Match` names the answer's `ETag` with 304 and no body, so
/// clients and proxies revalidate without downloading again.
enum ConditionalGet {
    /// `response`, or 304 with its tag when `request` already holds it. The request's
    /// `If-None-Match` is looked for first: most have none, and then the answer's tag is not read.
    static func answer(_ request: Request, with response: Response) -> Response {
        guard let wanted = request.headers[.ifNoneMatch], request.method == .get || request.method == .head,
            response.status == .ok, let tag = response.headers[.eTag], EntityTag.matches(wanted, tag)
        else { return response }
        return Response(status: .notModified, headers: [.eTag: tag])
    }
}
