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

    /// The position to bind `request` to: nil for a read without the cookie (most requests,
    /// which skip parsing cookies), as it has nothing to bind.
    static func position(of request: Request) -> ClientPosition? {
        let written =
            request.headers.contains(.cookie) ? request.cookies[cookieName].flatMap { LSN($0.value) } : nil
        if written == nil, request.method == .get || request.method == .head { return nil }
        return ClientPosition(written: written)
    }

    /// `next`'s answer to `request` with `position` bound for it (`ClientPosition`), and the
    /// cookie of a write it made.
    static func respond<Context: RequestContext>(
        to request: Request, context: Context, at position: ClientPosition,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
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
