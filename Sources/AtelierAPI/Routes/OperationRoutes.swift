import Hummingbird

/// `POST /interactions`, `GET /health` and `GET /openapi.json`.
struct OperationRoutes<Context: RequestContext> {
    let database: APIDatabase
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
        router.get("openapi.json") { _, _ in
            Response.json(openAPIDocument)
        }
    }
}
