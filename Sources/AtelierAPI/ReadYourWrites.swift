import AtelierStore
import Hummingbird

/// Read-your-writes across servers: the answer to a write sets the cookie `atelier_written` to
/// the primary's WAL position just past that write, and a request that carries it is answered
/// from what includes that write, whichever server it reaches (`ReadRouter`). Browsers send it
/// back by themselves; other clients may send it as any cookie.
enum ReadYourWrites {
    static var cookieName: String { "atelier_written" }
    /// Past this, every server has long heard of the write.
    static var cookieLifetime: Int { 60 }

    /// `next`'s answer to `request`, with the client's position bound for it (`ClientPosition`)
    /// and the cookie of a write it made.
    static func respond<Context: RequestContext>(
        to request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // Most requests send no cookie: they skip parsing cookies, and a read has nothing to bind.
        let written =
            request.headers.contains(.cookie) ? request.cookies[cookieName].flatMap { LSN($0.value) } : nil
        if written == nil, request.method == .get || request.method == .head {
            return try await next(request, context)
        }
        let position = ClientPosition(written: written)
        var response = try await ClientPosition.$current.withValue(position) { try await next(request, context) }
        if let written = position.newWrite {
            response.setCookie(
                Cookie(
                    name: cookieName, value: written.description, maxAge: cookieLifetime, path: "/", httpOnly: true,
                    sameSite: .lax))
        }
        return response
    }
}
