import AtelierStore
import Hummingbird

/// Answers a GET whose `If-None-Match` names the answer's `ETag` with 304 and no body, so
/// clients and proxies revalidate without downloading again.
struct ConditionalGetMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let response = try await next(request, context)
        guard request.method == .get || request.method == .head, response.status == .ok,
            let tag = response.headers[.eTag], let wanted = request.headers[.ifNoneMatch],
            EntityTag.matches(wanted, tag)
        else { return response }
        return Response(status: .notModified, headers: [.eTag: tag])
    }
}
