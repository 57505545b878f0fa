import AtelierStore
import HTTPTypes
import Hummingbird

/// `GET /cart` and `POST /cart`. The shopper is named by a `user_session` cookie or, for
/// clients without cookies, an `X-User-Session` header; each one sent must be a valid id, and
/// the header wins when both are.
struct CartRoutes<Context: RequestContext> {
    let database: APIDatabase

    func add(to router: Router<Context>) {
        router.get("cart") { request, _ in
            try await database.answer(CartQueries.Items(session: Self.session(of: request)))
        }
        router.post("cart") { request, _ in
            let session = try Self.session(of: request)
            let skuID = try await RequestBody.read(request).id("sku_id")
            guard let id = try await database.write(CartQueries.add(skuID: skuID, session: session)) else {
                throw APIError.invalid("sku_id \(skuID) is no sku")
            }
            return Response.created(id: id)
        }
    }

    static func session(of request: Request) throws(APIError) -> Int32 {
        let header = try request.headers[.userSession].map { value throws(APIError) in
            try RowID.parse(value, name: "user_session")
        }
        let cookie = try request.cookies["user_session"].map { cookie throws(APIError) in
            try RowID.parse(cookie.value, name: "user_session")
        }
        guard let session = header ?? cookie else {
            throw .invalid("user_session is required: send the user_session cookie or an X-User-Session header")
        }
        return session
    }
}

extension HTTPField.Name {
    /// The shopper's session for clients that do not keep cookies.
    static let userSession = HTTPField.Name("X-User-Session")!
}
