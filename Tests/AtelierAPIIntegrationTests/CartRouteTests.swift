@testable import AtelierAPI
@testable import AtelierStore
import AtelierTestSupport
import Hummingbird
import Testing

@Suite struct CartRouteTests {
    @Test func everyShoppersActiveItemsByHeaderOrCookie() async throws {
        let expected = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            for session in 1000...1003 {
                let byHeader = try await client.get("/cart", headers: [.userSession: String(session)])
                #expect(byHeader.status == .ok)
                #expect(byHeader.json == expected.cart(session), "session \(session)")
                let byCookie = try await client.get("/cart", headers: [.cookie: "theme=dark; user_session=\(session)"])
                #expect(byCookie.json == expected.cart(session), "session \(session)")
            }
            let stranger = try await client.get("/cart", headers: [.userSession: "424242"])
            #expect(stranger.json == .array([]))
        }
    }

    @Test func addingASkuCountsOneMore() async throws {
        let samples = try Samples.answers
        try await APIHarness.withSamples { client, _ in
            var expected = samples
            let shopper: HTTPFields = [.cookie: "user_session=1001"]
            for _ in 0..<2 {
                let added = try await client.post("/cart", #"{"sku_id": 3}"#, headers: shopper)
                #expect(added.status == .created)
                let next = expected.catalog["cart"].count + 1
                expected.catalog["cart"].append(
                    .init(values: [
                        "id": .int(next), "user_session": .int(1001), "product_id": .int(3), "active": .bool(true),
                    ]))
            }
            let cart = try await client.get("/cart", headers: shopper)
            #expect(cart.json == expected.cart(1001))
            #expect(cart.json?.array?.contains(.object(["sku_id": .integer(3), "count": .integer(2)])) == true)
        }
    }

    @Test(
        arguments: [
            (
                [:], #"{"sku_id": 3}"#,
                "user_session is required: send the user_session cookie or an X-User-Session header"
            ),
            ([.userSession: "abc"], #"{"sku_id": 3}"#, "invalid user_session provided"),
            // Each one sent is checked, though the header wins.
            (
                [.userSession: "1001", .cookie: "user_session=2147483648"], #"{"sku_id": 3}"#,
                "invalid user_session provided"
            ),
            ([.userSession: "1001"], #"{"sku_id": 99999}"#, "sku_id 99999 is no sku"),
            ([.userSession: "1001"], #"{"sku_id": "3"}"#, "sku_id must be an integer from 1 to 2147483647"),
            ([.userSession: "1001"], #"{}"#, "sku_id is required"),
        ] as [(HTTPFields, String, String)])
    func badCartRequestsAre422(headers: HTTPFields, body: String, message: String) async throws {
        try await APIHarness.withSamples { client, database in
            let answer = try await client.post("/cart", body, headers: headers)
            answer.expectError(422, message)
            #expect(try database.value("SELECT count(*) FROM cart") == "12")
        }
    }

    @Test func aCartWithoutASessionIs422() async throws {
        try await APIHarness.withSamples { client, _ in
            let answer = try await client.get("/cart")
            answer.expectError(
                422, "user_session is required: send the user_session cookie or an X-User-Session header")
        }
    }
}

@Suite struct InteractionRouteTests {
    @Test func anInteractionIsStoredAsSent() async throws {
        try await APIHarness.withSamples { client, database in
            let posted = try await client.post(
                "/interactions", #"{"element": "button#add", "widget": "Overview", "time": "2026-11-22T10:00:00Z"}"#)
            #expect(posted.status == .created)
            #expect(posted.json == .object(["id": .integer(1)]))
            #expect(
                try database.rows("SELECT element, widget, time FROM interactions") == [
                    ["button#add", "Overview", "2026-11-22T10:00:00Z"]
                ])
        }
    }

    @Test(arguments: [
        (#"{"widget": "w", "time": "t"}"#, "element is required"),
        (#"{"element": "e", "time": "t"}"#, "widget is required"),
        (#"{"element": "e", "widget": "w"}"#, "time is required"),
        (#"{"element": "", "widget": "w", "time": "t"}"#, "element must be 1 to 1000 characters"),
        (#"{"element": "e", "widget": 5, "time": "t"}"#, "widget must be a string"),
    ])
    func aMissingOrEmptyFieldIs422(body: String, message: String) async throws {
        try await APIHarness.withSamples { client, database in
            let answer = try await client.post("/interactions", body)
            answer.expectError(422, message)
            #expect(try database.value("SELECT count(*) FROM interactions") == "0")
        }
    }
}
