@testable import AtelierAPI
@testable import AtelierStore
import Testing

@Suite struct ProductRouteTests {
    @Test func listsProductsByIDAndPage() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            let first = try await client.get("/products")
            #expect(first.status == .ok)
            #expect(first.contentType == "application/json; charset=utf-8")
            #expect(first.json == expected.products())
            let third = try await client.get("/products?page=3&count=7")
            #expect(third.json == expected.products(page: 3, count: 7))
            let beyond = try await client.get("/products?page=99")
            #expect(beyond.json == .array([]))
        }
    }

    @Test func aCountAbove1000IsServedAs1000() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            for count in ["1000", "1001", "9007199254740991", "123456789012345678901234567890"] {
                let answer = try await client.get("/products?count=" + count)
                #expect(answer.json == expected.products(count: 1000), "count=\(count)")
            }
        }
    }

    @Test func everyProductWithItsFeatures() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            for id in 1...30 {
                let answer = try await client.get("/products/\(id)")
                #expect(answer.status == .ok)
                #expect(answer.json == expected.product(id), "product \(id)")
            }
            // Multi-line text with quotes and commas, non-ASCII names and normalised prices.
            let product3 = try await client.get("/products/3")
            #expect(
                product3.json?["description"] == .string("Line one, with a comma\nand \"quoted\" words on line two"))
            let product7 = try await client.get("/products/7")
            #expect(product7.json?["name"] == .string("Crème Brûlée Jacket"))
            let product5 = try await client.get("/products/5")
            #expect(product5.json?["default_price"] == .string("45.00"))
        }
    }

    /// Compact JSON: no spaces around `:` and `,` outside strings. The database writes product 3
    /// in 350 bytes; Python's `json.dumps(separators=(",", ":"))` of the same value takes 313.
    @Test func answersAreCompact() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            let product3 = try await client.get("/products/3")
            #expect(product3.json == expected.product(3))
            #expect(product3.byteCount == 313)
        }
    }

    @Test func everyProductsStylesWithTheLegacyPlaceholders() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            for id in 1...30 {
                let answer = try await client.get("/products/\(id)/styles")
                #expect(answer.json == expected.styles(id), "product \(id)")
            }
            let noStyles = try await client.get("/products/30/styles")
            #expect(noStyles.json == .object(["product_id": .string("30"), "results": .array([])]))
            // Style 7 (product 4) has no photos and style 11 (product 6) no skus.
            let product4 = try await client.get("/products/4/styles")
            #expect(
                product4.json?["results"]?.array?.first?["photos"]
                    == .array([.object(["thumbnail_url": .null, "url": .null])]))
            let product6 = try await client.get("/products/6/styles")
            #expect(
                product6.json?["results"]?.array?.first?["skus"]
                    == .object(["null": .object(["quantity": .null, "size": .null])]))
        }
    }

    @Test func everyProductsRelatedIDsInRowOrder() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            for id in 1...30 {
                let answer = try await client.get("/products/\(id)/related")
                #expect(answer.json == expected.related(id), "product \(id)")
            }
            let product1 = try await client.get("/products/1/related")
            #expect(product1.json == .array([.integer(2), .integer(6), .integer(13), .integer(2)]))
        }
    }

    @Test(arguments: [
        ("/products/31", 404, "product_id names no product"),
        ("/products/31/styles", 404, "product_id names no product"),
        ("/products/999999/related", 404, "product_id names no product"),
        ("/products/abc", 404, "product_id 'abc' names nothing"),
        ("/products/0", 404, "product_id '0' names nothing"),
        ("/products/-1/styles", 404, "product_id '-1' names nothing"),
        ("/products/2147483648", 404, "product_id '2147483648' names nothing"),
        ("/products/1.5/related", 404, "product_id '1.5' names nothing"),
        ("/products/hello", 404, "product_id 'hello' names nothing"),
        ("/products/5.55/related", 404, "product_id '5.55' names nothing"),
        ("/products?page=0", 422, "page must be a positive integer no larger than 9007199254740991"),
        ("/products?page=-2", 422, "page must be a positive integer no larger than 9007199254740991"),
        ("/products?page=9007199254740992", 422, "page must be a positive integer no larger than 9007199254740991"),
        ("/products?count=0", 422, "count must be a positive integer"),
        ("/products?count=abc", 422, "count must be a positive integer"),
        ("/products?count=2.5", 422, "count must be a positive integer"),
        ("/products?count=", 422, "count must be a positive integer"),
        ("/nowhere", 404, "no route for GET /nowhere"),
    ])
    func badRequestsAreJSONErrors(uri: String, status: Int, message: String) async throws {
        try await APIHarness.withSamples { client, _ in
            let answer = try await client.get(uri)
            answer.expectError(status, message)
        }
    }
}
