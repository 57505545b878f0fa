import AtelierStore
import Hummingbird

extension Router {
    /// Registers `read`'s GET: its statement's answer through the response cache.
    func add(_ read: CachedRead, database: APIDatabase) {
        get(RouterPath(read.path)) { request, context in
            let statement = try read.statement(
                ReadRequest(pathParameters: context.parameters, query: QueryParameters(request)))
            return try await database.answer(statement, missing: read.missing)
        }
    }
}
