import AtelierStore
import Hummingbird

/// `POST /reviews` and the helpful/report PUTs (the GETs are `CachedRead`s).
struct ReviewRoutes<Context: RequestContext> {
    let database: APIDatabase

    func add(to router: Router<Context>) {
        router.post("reviews") { request, _ in
            let review = try ReviewSubmission(await RequestBody.read(request))
            // A load may switch in a new catalogue between the check and the insert; the
            // insert then stores nothing, and the check, made again, says why.
            for _ in 0..<2 {
                try await check(review)
                if let id = try await database.write(ReviewQueries.insert(review)) { return Response.created(id: id) }
            }
            throw APIError.noProduct
        }
        FeedbackRoutes<Context>(database: database, path: "reviews/:review_id", idName: "review_id", target: .review)
            .add(to: router)
    }

    /// The product exists and every characteristic rated is one of its own: else 404 or 422.
    private func check(_ review: ReviewSubmission) async throws {
        guard
            let known = try await database.scalar(
                ReviewQueries.characteristicIDs(of: review.productID), as: [Int32].self)
        else {
            throw APIError.noProduct
        }
        let foreign = Set(review.characteristics.keys).subtracting(known).sorted()
        guard foreign.isEmpty else {
            throw APIError.invalid(
                "characteristics \(foreign.map(String.init).joined(separator: ", ")) do not belong to product \(review.productID)"
            )
        }
    }
}
