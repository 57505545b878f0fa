@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierSchema
import AtelierTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

/// The sample export, loaded once per test run with the ETL into a template database that
/// every test copies, and read once from the CSV files as the source of expected answers.
enum Samples {
    static let template = Result { try TestDatabase.withSamples() }
    static let catalog = Result { try SampleCatalog.read() }

    /// A fresh copy of the loaded samples, made off the concurrency pool (`blocking`).
    static func copy() async throws -> TestDatabase {
        try await blocking { try TestDatabase.create(template: template.get()) }
    }

    static var answers: LegacyAnswers {
        get throws { LegacyAnswers(catalog: try catalog.get()) }
    }
}

/// Runs tests against the real router, middleware and database: HummingbirdTesting's router
/// client (no socket) with the PostgreSQL pool running as the application's service.
enum APIHarness {
    /// `body` gets a client of an app serving a fresh copy of the loaded samples, and that copy.
    /// With a `cache`, the app keeps a response cache and runs its change listener, as
    /// `atelier-serve` does.
    static func withSamples(
        cache: ResponseCache? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol, TestDatabase) async throws -> Void
    ) async throws {
        let database = try await Samples.copy()
        try await withApp(database: ConnectionParameters(connectionString: database.apiURL), cache: cache) { client in
            try await body(client, database)
        }
    }

    /// The test process's metrics: every harness's application reports into one registry.
    static let metrics = ServerMetrics(registry: PrometheusCollectorRegistry())

    /// With `readDatabase`, reads go to that replica as the router decides; pass `router` to
    /// watch its decisions, `watchPool` to watch the primary's pool, `watchDatabase` the store
    /// the routes use; the routes count requests in `requestSeries`.
    static func withApp(
        database: ConnectionParameters, readDatabase: ConnectionParameters? = nil, deadline: Duration = .seconds(10),
        cache: ResponseCache? = nil, router: ReadRouter? = nil, poolSize: Int = 2, maximumWaiting: Int = 256,
        watchPool: (DatabasePool) -> Void = { _ in }, requestSeries: RequestSeries = RequestSeries(),
        watchDatabase: (APIDatabase) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var logger = Logger(label: "atelier-serve-tests")
        logger.logLevel =
            ProcessInfo.processInfo.environment["ATELIER_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
            ?? .error
        let pool = DatabasePool(
            parameters: database, poolSize: poolSize, maximumWaiting: maximumWaiting, deadline: deadline,
            logger: logger)
        watchPool(pool)
        let readPool = readDatabase.map {
            DatabasePool(parameters: $0, poolSize: poolSize, deadline: deadline, logger: logger)
        }
        let cache = cache ?? ResponseCache(capacity: 0)
        let router = router ?? ReadRouter(hasReplica: readPool != nil)
        let api = APIDatabase(
            pool: pool, readPool: readPool, deadline: deadline, cache: cache, router: router, metrics: Self.metrics)
        watchDatabase(api)
        var application = Application(
            router: try AtelierServer.makeRouter(database: api, requestSeries: requestSeries, logRequests: false),
            logger: logger)
        application.addServices(pool)
        if let readPool {
            application.addServices(readPool, ReplicaWatch(pool: readPool, router: router, logger: logger))
        }
        // A check may take 5 s, not 2: the whole suite at once on two cores can hold one up that
        // long, and every late check empties the cache under the test's feet. The heartbeat's
        // timing is `ListenerHeartbeatTests`'.
        application.addServices(
            ChangeListener(
                parameters: database, cache: cache, router: router, logger: logger, heartbeatTimeout: .seconds(5)))
        try await application.test(.router) { client in try await body(client) }
    }
}

/// A response's status and body as JSON.
struct JSONResponse: Sendable {
    let status: HTTPResponse.Status
    let contentType: String?
    /// The `Retry-After` header, which every 503 carries.
    let retryAfter: String?
    let entityTag: String?
    /// The `Set-Cookie` header: a write's WAL position (`ReadYourWrites`).
    let setCookie: String?
    /// The body as JSON, nil when it is empty (and `json` decoding would fail for non-JSON bodies:
    /// those are read with `text`).
    let json: JSONValue?
    let text: String
    /// The body's length on the wire.
    let byteCount: Int

    /// The `error` message of an error answer.
    var error: String? {
        guard case .object(let fields) = json, case .string(let message)? = fields["error"] else { return nil }
        return message
    }

    /// Expects the contract's error answer: `status`, JSON, `{"error": message}`.
    func expectError(_ status: Int, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status.code == status, sourceLocation: sourceLocation)
        #expect(error == message, sourceLocation: sourceLocation)
        #expect(contentType == "application/json; charset=utf-8", sourceLocation: sourceLocation)
        #expect((retryAfter != nil) == (status == 503), sourceLocation: sourceLocation)
    }
}

extension TestClientProtocol {
    /// Sends a request and parses the answer as JSON (nil when the body is empty).
    func request(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> JSONResponse {
        var headers = headers
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        { response in
            let bytes = Data(response.body.readableBytesView)
            let isJSON = response.headers[.contentType]?.hasPrefix("application/json") ?? false
            let json = bytes.isEmpty || !isJSON ? nil : try JSONDecoder().decode(JSONValue.self, from: bytes)
            return JSONResponse(
                status: response.status, contentType: response.headers[.contentType],
                retryAfter: response.headers[.retryAfter], entityTag: response.headers[.eTag],
                setCookie: response.headers[.setCookie],
                json: json, text: String(decoding: bytes, as: UTF8.self), byteCount: bytes.count)
        }
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> JSONResponse {
        try await request(.get, uri, headers: headers)
    }

    func post(_ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> JSONResponse {
        try await request(.post, uri, body: body, headers: headers)
    }

    func put(_ uri: String, headers: HTTPFields = [:]) async throws -> JSONResponse {
        try await request(.put, uri, headers: headers)
    }
}

extension JSONValue {
    /// A JSON body from a literal written in a test.
    static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }

    var array: [JSONValue]? {
        guard case .array(let items) = self else { return nil }
        return items
    }
}
