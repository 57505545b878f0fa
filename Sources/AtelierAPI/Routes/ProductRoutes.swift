import AtelierStore
import Hummingbird

/// `/products`, `/products/:product_id`, `…/styles` and `…/related`.
struct ProductRoutes<Context: RequestContext> {
    let database: APIDatabase

    func add(to router: Router<Context>) {
        router.get("products") { request, _ in
            try await database.answer(ProductQueries.List(page: QueryParameters(request).page()))
        }
        router.get("products/:product_id") { _, context in
            try await database.answer(
                ProductQueries.Detail(productID: context.pathID("product_id")), missing: .noProduct)
        }
        router.get("products/:product_id/styles") { _, context in
            try await database.answer(
                ProductQueries.Styles(productID: context.pathID("product_id")), missing: .noProduct)
        }
        router.get("products/:product_id/related") { _, context in
            try await database.answer(
                ProductQueries.Related(productID: context.pathID("product_id")), missing: .noProduct)
        }
    }
}
