import AtelierStore
import Hummingbird

/// `POST /interactions`, `GET /health`, `GET /ready`, `GET /metrics` and `GET /openapi.json`.
struct OperationRoutes<Context: RequestContext> {
    let database: APIDatabase
    let requestSeries: RequestSeries
    let openAPIDocument: ByteBuffer

    func add(to router: Router<Context>) {
        router.post("interactions") { request, _ in
            let interaction = try InteractionSubmission(await RequestBody.read(request))
            guard let id = try await database.scalar(InteractionQueries.insert(interaction), as: Int64.self) else {
                throw APIError(.internalServerError, "the interaction was not stored")
            }
            return Response.created(id: id)
        }
        router.get("health") { _, _ in
            guard await database.isAvailable() else { throw APIError.databaseUnavailable }
            return Response.json(ByteBuffer(string: #"{"status":"ok"}"#))
        }
        // Ready to take traffic: the database answers and, with a cache, the listener keeps it correct.
        router.get("ready") { _, _ in
            guard await database.isAvailable() else { throw APIError.databaseUnavailable }
            guard database.cache.keepsCorrect else {
                throw APIError(.serviceUnavailable, "the change listener is not connected yet")
            }
            return Response.json(ByteBuffer(string: #"{"status":"ready"}"#))
        }
        router.get("metrics") { _, _ in
            var text = database.metrics.render(cache: database.cache, pool: database.pool, router: database.router)
            requestSeries.render(into: &text)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: text))
        }
        router.get("openapi.json") { _, _ in
            Response.json(openAPIDocument)
        }
    }
}
