import AtelierStore
import Hummingbird

/// A read route whose answers the response cache keeps: its path, the error when its row does
/// not exist, and how a request to it becomes its statement. The router registers every one
/// (`Router.add(_:database:)`), and `CacheHitHandler` answers their hits before the router does,
/// both from this one description.
struct CachedRead: Sendable {
    /// The path as the router registers it, e.g. `products/:product_id`.
    let path: String
    let missing: APIError
    let statement: @Sendable (ReadRequest) throws(APIError) -> any CachedStatement

    /// Every cached read route of the API contract.
    static let all: [CachedRead] = [
        CachedRead(path: "products", missing: .listWithoutRow) { request throws(APIError) in
            ProductQueries.List(page: try request.query.page())
        },
        CachedRead(path: "products/:product_id", missing: .noProduct) { request throws(APIError) in
            ProductQueries.Detail(productID: try request.pathParameters.pathID("product_id"))
        },
        CachedRead(path: "products/:product_id/styles", missing: .noProduct) { request throws(APIError) in
            ProductQueries.Styles(productID: try request.pathParameters.pathID("product_id"))
        },
        CachedRead(path: "products/:product_id/related", missing: .noProduct) { request throws(APIError) in
            ProductQueries.Related(productID: try request.pathParameters.pathID("product_id"))
        },
        CachedRead(path: "reviews", missing: .noProduct) { request throws(APIError) in
            let sort = try ReviewQueries.Sort(query: request.query["sort"])
            return ReviewQueries.List(
                productID: try request.query.id("product_id"), page: try request.query.page(), sort: sort)
        },
        CachedRead(path: "reviews/meta", missing: .noProduct) { request throws(APIError) in
            ReviewQueries.Meta(productID: try request.query.id("product_id"))
        },
        CachedRead(path: "qa/questions", missing: .noProduct) { request throws(APIError) in
            QuestionQueries.List(productID: try request.query.id("product_id"), page: try request.query.page())
        },
        CachedRead(path: "qa/questions/:question_id/answers", missing: .noQuestion) { request throws(APIError) in
            QuestionQueries.Answers(
                questionID: try request.pathParameters.pathID("question_id"), page: try request.query.page())
        },
    ]
}

/// What a cached read's statement is made from: the route's path parameters and the query.
struct ReadRequest {
    let pathParameters: Parameters
    let query: QueryParameters
}
