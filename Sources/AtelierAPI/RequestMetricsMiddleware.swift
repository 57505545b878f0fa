import Hummingbird

/// Counts and times every request by route, method and status into the series Hummingbird's
/// `MetricsMiddleware` makes (`hb_requests`, `http_server_request_duration`,
/// `http_server_active_requests`), without its per-request lookups under a lock: a request finds
/// its route's series in a table fixed once the router is complete (`RequestSeries`). The time
/// is taken when the answer leaves the router, before its body is written.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let series: RequestSeries

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let active = series.active(request.method)
        active.increment()
        defer { active.decrement() }
        do {
            let response = try await next(request, context)
            series.answered(context.endpointPath, request.method, response.status, after: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            series.answered(context.endpointPath, request.method, status, after: ContinuousClock.now - start)
            throw error
        }
    }
}
