import Hummingbird

/// Every request's way through the API, in one middleware: counted and timed by route, method
/// and status (`RequestSeries`), bound to its client's writes (`ReadYourWrites`), its errors
/// turned into the contract's answers (`ErrorAnswer`), and a matching `If-None-Match` answered
/// with 304 (`ConditionalGet`). One middleware, so that their order is written in one place and
/// every request passes through one frame, not four; a request with nothing to bind goes
/// straight to the router.
///
/// The time is taken when the answer leaves the router, before its body is written.
struct APIMiddleware<Context: RequestContext>: RouterMiddleware {
    let series: RequestSeries

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let active = series.active(request.method)
        active.wrappingIncrement(ordering: .relaxed)
        defer { active.wrappingDecrement(ordering: .relaxed) }
        var response: Response
        do {
            if let position = ReadYourWrites.position(of: request) {
                response = try await ReadYourWrites.respond(to: request, context: context, at: position, next: next)
            } else {
                response = try await next(request, context)
            }
        } catch {
            response = ErrorAnswer.response(to: error, of: request, logger: context.logger)
        }
        response = ConditionalGet.answer(request, with: response)
        series.answered(context.endpointPath, request.method, response.status, after: ContinuousClock.now - start)
        return response
    }
}
