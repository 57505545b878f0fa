import Hummingbird

extension APIDatabase {
    /// Answers with the JSON document `statement` builds; `missing` when it finds no row
    /// (the id in the request names nothing).
    func answer(_ statement: some JSONStatement, missing: APIError) async throws -> Response {
        guard let body = try await firstRow(statement) else { throw missing }
        return .json(body)
    }

    /// Answers with the JSON document of a statement that always finds its row (a list).
    func answer(_ statement: some JSONStatement) async throws -> Response {
        try await answer(statement, missing: APIError(.internalServerError, "internal error"))
    }
}
