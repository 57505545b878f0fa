@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

/// `CacheHitHandler` answers a GET the response cache holds before the router, with the
/// router's own answer, counted in the route's series; every other request goes on to the
/// router unchanged, and answers leave in the order asked, also on a real connection.
@Suite struct CacheHitTests {
    /// One request of every cached read route, with and without optional parameters.
    static let cachedURIs = [
        "/products", "/products?page=2&count=3", "/products/1", "/products/1/styles", "/products/1/related",
        "/reviews?product_id=4", "/reviews?product_id=4&sort=newest&count=2", "/reviews/meta?product_id=4",
        "/qa/questions?product_id=1", "/qa/questions/1/answers?page=1",
    ]

    @Test func aHitIsTheRoutersOwnAnswer() async throws {
        try await Self.withHandler { client, responder, _ in
            for uri in Self.cachedURIs {
                _ = try await client.get(uri)
                let routed = try await client.routed(uri)
                let channel = try HitChannel(responder)
                try channel.send(.get(uri))
                #expect(try channel.passedOn().isEmpty, "\(uri)")
                let answer = try channel.answered()
                #expect(answer.status == routed.status, "\(uri)")
                #expect(
                    answer.fields(without: [.date, .server]) == routed.fields(without: [.date, .server]), "\(uri)")
                #expect(answer.body == routed.body, "\(uri)")
                #expect(answer.fields.contains(HTTPField(name: .server, value: "atelier-serve")))
                let date = try #require(answer.fields[.date])
                #expect(
                    date.wholeMatch(of: /[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/) != nil, "\(date)")
            }
        }
    }

    @Test func aMatchingEntityTagIsAnswered304() async throws {
        try await Self.withHandler { client, responder, _ in
            let uri = "/reviews/meta?product_id=4"
            let tag = try #require(try await client.get(uri).entityTag)
            for wanted in [tag, "W/\(tag)", "\"other\", \(tag)", "*"] {
                let routed = try await client.routed(uri, headers: [.ifNoneMatch: wanted])
                let channel = try HitChannel(responder)
                try channel.send(.get(uri, [.ifNoneMatch: wanted]))
                let answer = try channel.answered()
                #expect(answer.status == .notModified && routed.status == .notModified, "\(wanted)")
                #expect(answer.fields(without: [.date, .server]) == routed.fields(without: [.date, .server]))
                #expect(answer.body.isEmpty && answer.fields[.eTag] == tag)
            }
            let channel = try HitChannel(responder)
            try channel.send(.get(uri, [.ifNoneMatch: "\"other\""]))
            #expect(try channel.answered().status == .ok)
        }
    }

    /// Whatever the cache cannot answer as the router would goes on as it came: another
    /// method, a client's own write to read, `Connection: close`, a miss, a 404 (even a cached
    /// one), a parameter the route rejects, no route.
    @Test func whatOnlyTheRouterAnswersGoesOnUnchanged() async throws {
        try await Self.withHandler { client, responder, _ in
            for uri in ["/products/1", "/products/31", "/reviews?product_id=4"] { _ = try await client.get(uri) }
            let requests: [HTTPRequest] = [
                HTTPRequest(method: .head, scheme: nil, authority: nil, path: "/products/1"),
                HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/products/1"),
                .get("/products/1", [.cookie: "atelier_written=0/16B3748"]),
                .get("/products/1", [.connection: "close"]),
                .get("/products/2"), .get("/products/31"), .get("/products/abc"), .get("/products/1/nothing"),
                .get("/reviews?product_id=x"), .get("/reviews?product_id=4&sort=oldest"),
                .get("/reviews?product_id=4&count=0"),
            ]
            for request in requests {
                let channel = try HitChannel(responder)
                try channel.send(request)
                #expect(try channel.passedOn() == [.head(request), .end(nil)], "\(request)")
                #expect(try channel.channel.readOutbound(as: HTTPResponsePart.self) == nil, "\(request)")
            }
            // A cookie that is not the write's goes the cache's way.
            let channel = try HitChannel(responder)
            try channel.send(.get("/products/1", [.cookie: "user_session=7", .connection: "keep-alive"]))
            #expect(try channel.answered().status == .ok)
        }
    }

    /// While a request passed on is unanswered, a hit behind it goes on too; once every answer
    /// has ended, hits are answered again.
    @Test func answersLeaveInTheOrderAsked() async throws {
        try await Self.withHandler { client, responder, _ in
            _ = try await client.get("/products/1")
            let channel = try HitChannel(responder)
            try channel.send(.get("/products/2"))
            try channel.send(.get("/products/1"))
            #expect(try channel.passedOn().count == 4, "the miss and the hit behind it go on")
            for _ in 0..<2 {
                #expect(try channel.answered().body.isEmpty, "nothing answered before the router answers")
                try channel.channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
                try channel.channel.writeOutbound(HTTPResponsePart.end(nil))
                _ = try channel.channel.readOutbound(as: HTTPResponsePart.self)
                _ = try channel.channel.readOutbound(as: HTTPResponsePart.self)
            }
            try channel.send(.get("/products/1"))
            #expect(try channel.passedOn().isEmpty)
            #expect(try channel.answered().status == .ok)
        }
    }

    @Test func hitsAreCountedInTheRoutesSeries() async throws {
        try await Self.withHandler { client, responder, series in
            _ = try await client.get("/products/1")
            let tag = try #require(try await client.get("/products/1").entityTag)
            for _ in 0..<3 {
                let channel = try HitChannel(responder)
                try channel.send(.get("/products/1"))
                _ = try channel.answered()
            }
            let channel = try HitChannel(responder)
            try channel.send(.get("/products/1", [.ifNoneMatch: tag]))
            _ = try channel.answered()
            var buffer = ByteBuffer()
            series.render(into: &buffer)
            let text = String(buffer: buffer)
            let route = #"http_route="/products/{product_id}",http_request_method="GET",http_response_status_code="#
            #expect(text.contains("hb_requests{\(route)\"200\"} 5"), "\(text)")
            #expect(text.contains("hb_requests{\(route)\"304\"} 1"), "\(text)")
        }
    }

    /// On a real connection: requests sent in one write, hits and a miss mixed, are answered in
    /// the order sent, and each answer is its own request's.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await Self.warmServer()
        let connection = try RawHTTPConnection(port: server.port)
        let ids = [1, 2, 17, 1, 3, 2]
        #expect(connection.send(ids.map { RawHTTPConnection.get("/products/\($0)") }.joined()))
        let answers = try await connection.answers(ids.count)
        #expect(answers.map(\.status) == ids.map { _ in 200 })
        #expect(answers.map { Self.productID(of: $0.body) } == ids)
    }

    /// Hummingbird's connection state sees the answers the handler writes: a connection busy
    /// with hits stays open past `--idle-timeout`, an idle one closes, and `Connection: close`
    /// closes it after its answer. Requests come at a quarter of the idle timeout, from a thread
    /// of their own (`keepBusy`).
    @Test func aConnectionAnsweredFromTheCacheKeepsItsLifecycle() async throws {
        let server = try await Self.warmServer(["--idle-timeout", "2"])
        let busy = try RawHTTPConnection(port: server.port, timeout: 8)
        let statuses = try await busy.keepBusy(
            with: RawHTTPConnection.get("/products/1"), times: 7, gap: .milliseconds(500))
        #expect(statuses == Array(repeating: 200, count: 7), "open for 3.5 s of hits")
        let closed = try await busy.closedByServer()
        #expect(closed.map { $0 < .seconds(5) } == true, "closed \(String(describing: closed)) after the last")
        let closing = try RawHTTPConnection(port: server.port, timeout: 8)
        #expect(closing.send(RawHTTPConnection.get("/products/1", headers: ["Connection: close"])))
        #expect(try await closing.answers(1).first?.status == 200)
        #expect(try await closing.closedByServer() != nil)
    }

    /// A server over a fresh copy of the samples whose cache answers `/products/1` and `/2`.
    private static func warmServer(_ arguments: [String] = []) async throws -> ServerProcess {
        let database = try await Samples.copy()
        let server = try ServerProcess(arguments: ["--database-url", database.apiURL] + arguments)
        try await server.waitUntilHealthy()
        let warm = await eventually {
            for id in [1, 2] { _ = try? await server.send("GET", "/products/\(id)") }
            let metrics = (try? await server.send("GET", "/metrics").body).map { String(decoding: $0, as: UTF8.self) }
            return metrics?.contains(/atelier_cache_hits_total [1-9]/) ?? false
        }
        #expect(warm, "the cache answers")
        return server
    }

    private static func productID(of body: String) -> Int? {
        guard case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) else {
            return nil
        }
        return fields["id"]?.integerValue
    }

    /// `body` gets a router client of an app over a fresh copy of the samples with a response
    /// cache, a `CacheHitResponder` over the same store, and the series both count in.
    private static func withHandler(
        _ body: @escaping @Sendable (any TestClientProtocol, CacheHitResponder, RequestSeries) async throws -> Void
    ) async throws {
        let database = try await Samples.copy()
        let cache = ResponseCache(capacity: 16 << 20)
        let series = RequestSeries()
        let store = NIOLockedValueBox<APIDatabase?>(nil)
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: database.apiURL), cache: cache, requestSeries: series,
            watchDatabase: { api in store.withLockedValue { $0 = api } }
        ) { client in
            #expect(await eventually { cache.isEnabled })
            let api = try #require(store.withLockedValue { $0 })
            let responder = CacheHitResponder(
                reads: CachedRead.all, database: api, requestSeries: series, serverName: AtelierServer.serverName)
            try await body(client, responder, series)
        }
    }
}

/// A channel with only a `CacheHitHandler`: what it answers, and what it passes on.
private struct HitChannel {
    /// An answer as the handler wrote it.
    struct Answer {
        let status: HTTPResponse.Status
        let fields: HTTPFields
        let body: Data

        func fields(without names: Set<HTTPField.Name>) -> [HTTPField] { fields.filter { !names.contains($0.name) } }
    }

    let channel: EmbeddedChannel

    init(_ responder: CacheHitResponder) throws {
        channel = EmbeddedChannel(handler: CacheHitHandler(responder: responder))
    }

    func send(_ request: HTTPRequest) throws {
        try channel.writeInbound(HTTPRequestPart.head(request))
        try channel.writeInbound(HTTPRequestPart.end(nil))
    }

    /// The request parts passed on so far.
    func passedOn() throws -> [HTTPRequestPart] {
        var parts: [HTTPRequestPart] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) { parts.append(part) }
        return parts
    }

    /// The answer written so far; an empty one with status 0 when nothing was.
    func answered() throws -> Answer {
        var answer = Answer(status: .init(code: 0), fields: [:], body: Data())
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            switch part {
            case .head(let head): answer = Answer(status: head.status, fields: head.headerFields, body: answer.body)
            case .body(let body):
                answer = Answer(
                    status: answer.status, fields: answer.fields, body: answer.body + Data(body.readableBytesView))
            case .end: break
            }
        }
        return answer
    }
}

extension HTTPRequest {
    fileprivate static func get(_ path: String, _ fields: HTTPFields = [:]) -> HTTPRequest {
        HTTPRequest(method: .get, scheme: nil, authority: nil, path: path, headerFields: fields)
    }
}

extension TestClientProtocol {
    /// The router's answer to `GET uri`, as `HitChannel.Answer`.
    fileprivate func routed(_ uri: String, headers: HTTPFields = [:]) async throws -> HitChannel.Answer {
        try await execute(uri: uri, method: .get, headers: headers) { response in
            HitChannel.Answer(
                status: response.status, fields: response.headers, body: Data(response.body.readableBytesView))
        }
    }
}
