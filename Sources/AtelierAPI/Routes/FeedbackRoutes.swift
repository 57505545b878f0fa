import AtelierStore
import Hummingbird
import PostgresNIO

/// `PUT <path>/helpful` and `PUT <path>/report` for one kind of row: 204, or 404 for an
/// unknown id.
struct FeedbackRoutes<Context: RequestContext> {
    let database: APIDatabase
    /// The row's path, e.g. `reviews/:review_id`.
    let path: String
    let idName: String
    let target: FeedbackQueries.Target

    func add(to router: Router<Context>) {
        router.put("\(path)/helpful") { _, context in
            try await update(.helpful, id: context.pathID(idName))
        }
        router.put("\(path)/report") { _, context in
            try await update(.report, id: context.pathID(idName))
        }
    }

    private func update(_ action: FeedbackQueries.Action, id: Int32) async throws -> Response {
        guard try await database.feedback(FeedbackQueries.Kind(target: target, action: action), id: id) else {
            throw APIError.notFound("no \(target) with that \(idName)")
        }
        return Response(status: .noContent)
    }
}
