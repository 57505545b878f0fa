import AtelierStore
import Hummingbird

extension APIDatabase {
    /// The route's answer: the JSON document `statement` builds, with its entity tag; `missing`
    /// when it finds no row.
    func answer(_ statement: some JSONStatement, missing: APIError = .listWithoutRow) async throws -> Response {
        try Self.response(try await document(for: statement), missing: missing)
    }

    /// The same through the response cache, which keeps a 404 too. A hit is answered before any
    /// asynchronous call.
    func answer<Statement: CachedStatement>(_ statement: Statement, missing: APIError = .listWithoutRow)
        async throws -> Response
    {
        switch lookUp(statement) {
        case .hit(let answer):
            return try Self.response(answer, missing: missing)
        case .miss(let route):
            let answer = try await read(statement, route: route, missingIsAnAnswer: missing.status == .notFound)
            return try Self.response(answer, missing: missing)
        }
    }

    private static func response(_ answer: ResponseCache.Answer, missing: APIError) throws -> Response {
        switch answer {
        case .found(let body, let tag): .json(body, tag: tag)
        case .missing: throw missing
        }
    }
}
