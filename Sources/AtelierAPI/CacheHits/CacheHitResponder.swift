import AtelierStore
import HTTPTypes
@_spi(Internal) import Hummingbird
import HummingbirdCore
import NIOCore

/// The answer the response cache holds for a GET of a `CachedRead` route, made without an
/// asynchronous call, for `CacheHitHandler` to write before Hummingbird's responder sees the
/// request. It is the answer the router would give: the route found by the router's own path
/// matching (`RouterTrie`, Hummingbird's SPI), the statement made by the route's own
/// `CachedRead`, the cache looked up as the route does, a matching `If-None-Match` answered
/// with 304, the `Date` and `Server` fields Hummingbird adds, and the request counted in the
/// route's series. Any request it cannot answer so (another method or route, a parameter the
/// route rejects, a miss, a 404, a client's own write to read, a `Connection` other than
/// `keep-alive`) is left to the router, which answers it in full.
struct CacheHitResponder: Sendable {
    /// A cached read route with its series.
    struct Route: Sendable {
        let read: CachedRead
        let series: RequestSeries.Route
    }

    /// An answer to write: its head and, unless a 304, its body; and its series.
    struct Answer {
        let head: HTTPResponse
        let body: ByteBuffer?
        let route: Route
    }

    private let routes: RouterTrie<Route>
    private let database: APIDatabase
    private let requestSeries: RequestSeries
    private let serverName: String?

    /// The responder for `reads`, whose routes the router has registered and `requestSeries`
    /// has completed; a read without a series is left to the router.
    init(reads: [CachedRead], database: APIDatabase, requestSeries: RequestSeries, serverName: String?) {
        let builder = RouterPathTrieBuilder<Route>()
        for read in reads {
            let path = RouterPath(read.path)
            guard let series = requestSeries.route(path.description, .get) else { continue }
            builder.addEntry(path, value: Route(read: read, series: series))
        }
        self.routes = builder.build()
        self.database = database
        self.requestSeries = requestSeries
        self.serverName = serverName
    }

    /// The cache's answer to `request`, dated `date`; nil when the router must answer it.
    func answer(_ request: HTTPRequest, date: String) -> Answer? {
        guard request.method == .get, Self.keepsAlive(request), !Self.carriesWrite(request),
            let target = request.path
        else { return nil }
        let uri = URI(target)
        guard let (route, parameters) = routes.resolve(uri.path),
            let statement = try? route.read.statement(
                ReadRequest(pathParameters: parameters, query: QueryParameters(uri))),
            case .found(let body, let tag)? = database.cachedAnswer(statement)
        else { return nil }
        if let wanted = request.headerFields[.ifNoneMatch], EntityTag.matches(wanted, tag) {
            // The fields Hummingbird gives `ConditionalGet`'s 304, which has an empty body.
            var fields: HTTPFields = [.eTag: tag, .contentLength: "0"]
            dated(&fields, date)
            return Answer(head: HTTPResponse(status: .notModified, headerFields: fields), body: nil, route: route)
        }
        var fields = Response.jsonHeaders(body, tag: tag)
        dated(&fields, date)
        return Answer(head: HTTPResponse(status: .ok, headerFields: fields), body: body, route: route)
    }

    /// Counts `answer` in its route's series.
    func answered(_ answer: Answer, after duration: Duration) {
        requestSeries.answered(answer.route.series, answer.head.status, after: duration)
    }

    private func dated(_ fields: inout HTTPFields, _ date: String) {
        fields.append(HTTPField(name: .date, value: date))
        if let serverName { fields.append(HTTPField(name: .server, value: serverName)) }
    }

    /// Whether `request` leaves the connection open as every other does: the router's way
    /// closes it after answering `Connection: close`.
    private static func keepsAlive(_ request: HTTPRequest) -> Bool {
        guard let connection = request.headerFields[.connection] else { return true }
        return connection == "keep-alive"
    }

    /// Whether `request` may carry the read-your-writes cookie (`ReadYourWrites`), which the
    /// router binds the request to.
    private static func carriesWrite(_ request: HTTPRequest) -> Bool {
        guard let cookies = request.headerFields[.cookie] else { return false }
        return cookies.contains(ReadYourWrites.cookieName)
    }
}
