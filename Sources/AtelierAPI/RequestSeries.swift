import Atomics
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import Prometheus

/// The request series, in the names and labels Hummingbird's `MetricsMiddleware` gives them:
/// `hb_requests` and the `http_server_request_duration` histogram by route, method and status,
/// `http_server_active_requests` by method. Counting takes no lock: each series is a set of
/// atomic counters, made on first use (Prometheus shows only series that happened) and, for a
/// route of the router with one of the statuses the API answers, found without a lock.
/// `render(into:)` writes them in Prometheus' text format, after the registry's series.
final class RequestSeries: Sendable {
    /// One route, method and status: its requests by latency bucket and their total time.
    /// `hb_requests` and the histogram's count are the same number, the sum of the buckets.
    final class Answered: Sendable {
        /// Rendered once: `http_route="…",http_request_method="…",http_response_status_code="…"`.
        let labels: String
        /// Requests per bucket of `RequestSeries.buckets`, the last one past every bound.
        private let counts: [ManagedAtomic<Int>] = (0...RequestSeries.buckets.count).map { _ in ManagedAtomic(0) }
        private let nanoseconds = ManagedAtomic(0)

        init(route: String, method: String, status: Int) {
            labels = RequestSeries.labels([
                ("http_route", route), ("http_request_method", method), ("http_response_status_code", String(status)),
            ])
        }

        func record(_ duration: Duration) {
            let index = RequestSeries.buckets.firstIndex { duration <= $0 } ?? RequestSeries.buckets.count
            counts[index].wrappingIncrement(ordering: .relaxed)
            let (seconds, attoseconds) = duration.components
            nanoseconds.wrappingIncrement(
                by: Int(clamping: seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000), ordering: .relaxed)
        }

        /// Requests counted so far, cumulative by bucket as Prometheus wants them; the last is the total.
        var cumulativeCounts: [Int] {
            var total = 0
            return counts.map { count in
                total += count.load(ordering: .relaxed)
                return total
            }
        }

        var seconds: Double { Double(nanoseconds.load(ordering: .relaxed)) / 1e9 }
    }

    /// Requests in flight with one method.
    final class Active: Sendable {
        let labels: String
        let count = ManagedAtomic(0)

        init(method: String) { labels = RequestSeries.labels([("http_request_method", method)]) }
    }

    /// The series of one route and method of the router, one slot per status of `statuses`:
    /// found once (`route(_:_:)`) by a caller that answers the route many times.
    final class Route: Sendable {
        let path: String
        let method: HTTPRequest.Method
        fileprivate let slots: [ManagedAtomicLazyReference<Answered>] = RequestSeries.statuses.map { _ in
            ManagedAtomicLazyReference()
        }

        init(path: String, method: HTTPRequest.Method) {
            self.path = path
            self.method = method
        }
    }

    private struct RouteKey: Hashable {
        let path: String
        let method: HTTPRequest.Method
    }

    private struct OtherKey: Hashable {
        let path: String
        let method: HTTPRequest.Method
        let status: Int
    }

    /// The routes' series by path and method, fixed once the router is complete.
    private final class RouteTable: Sendable {
        let routes: [RouteKey: Route]

        init(_ routes: [RouteKey: Route]) { self.routes = routes }
    }

    /// The statuses the API answers, in the order of `Route.slots`.
    private static let statuses = [200, 201, 204, 304, 400, 404, 405, 413, 422, 500, 503]
    /// The methods the API serves, in the order of `activeSlots`.
    private static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete]
    /// The buckets swift-prometheus gives a swift-metrics timer, as Hummingbird's middleware had them.
    static let buckets = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        .defaultDurationHistogramBuckets
    /// Each bucket's bound as swift-prometheus writes it (`le="0.005"`).
    private static let bucketBounds = buckets.map(\.bucketRepresentation)

    private let routes = ManagedAtomicLazyReference<RouteTable>()
    private let activeSlots: [ManagedAtomicLazyReference<Active>] = RequestSeries.methods.map { _ in
        ManagedAtomicLazyReference()
    }
    private let others = NIOLockedValueBox([OtherKey: Answered]())
    private let otherActive = NIOLockedValueBox([String: Active]())
    /// Every series made, in the order made: what `render` writes.
    private let made = NIOLockedValueBox((answered: [Answered](), active: [Active]()))

    init() {}

    /// Fixes the table of routes: called once, when every route is added; requests counted
    /// before (none, as the server is not listening yet) go to the locked table.
    func complete(_ routes: [Router<some RequestContext>.RouteDescription]) {
        let table = Dictionary(
            routes.map {
                (
                    RouteKey(path: $0.path.description, method: $0.method),
                    Route(path: $0.path.description, method: $0.method)
                )
            },
            uniquingKeysWith: { first, _ in first })
        _ = self.routes.storeIfNilThenLoad(RouteTable(table))
    }

    /// The count of requests in flight with `method`.
    func active(_ method: HTTPRequest.Method) -> ManagedAtomic<Int> {
        guard let index = Self.methods.firstIndex(of: method) else {
            return otherActive.withLockedValue { actives in
                if let active = actives[method.rawValue] { return active.count }
                let active = makeActive(method)
                actives[method.rawValue] = active
                return active.count
            }
        }
        let slot = activeSlots[index]
        if let active = slot.load() { return active.count }
        let active = Active(method: method.rawValue)
        let stored = slot.storeIfNilThenLoad(active)
        if stored === active { made.withLockedValue { $0.active.append(active) } }
        return stored.count
    }

    private func makeActive(_ method: HTTPRequest.Method) -> Active {
        let active = Active(method: method.rawValue)
        made.withLockedValue { $0.active.append(active) }
        return active
    }

    /// The series made in the locked table: requests no route of the router answered, or with
    /// a status the API does not use.
    var seriesOutsideTheTable: Int { others.withLockedValue { $0.count } }

    /// Counts a request to `path` (the router's endpoint; nil when no route matched) answered
    /// with `status` after `duration`.
    func answered(
        _ path: String?, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status, after duration: Duration
    ) {
        series(path ?? "NotFound", method, status.code).record(duration)
    }

    /// The series of the router's route `path` with `method`; nil before `complete(_:)` or
    /// for a route the router does not have.
    func route(_ path: String, _ method: HTTPRequest.Method) -> Route? {
        routes.load()?.routes[RouteKey(path: path, method: method)]
    }

    /// Counts a request to `route` answered with `status` after `duration`, with no lookup.
    func answered(_ route: Route, _ status: HTTPResponse.Status, after duration: Duration) {
        guard let index = Self.statuses.firstIndex(of: status.code) else {
            return series(route.path, route.method, status.code).record(duration)
        }
        series(in: route.slots[index], route.path, route.method, status.code).record(duration)
    }

    private func series(_ path: String, _ method: HTTPRequest.Method, _ status: Int) -> Answered {
        if let route = route(path, method), let index = Self.statuses.firstIndex(of: status) {
            return series(in: route.slots[index], path, method, status)
        }
        return others.withLockedValue { others in
            let key = OtherKey(path: path, method: method, status: status)
            if let answered = others[key] { return answered }
            let answered = makeAnswered(path, method, status)
            others[key] = answered
            return answered
        }
    }

    /// The series in `slot`, made on first use; of two made at once, only the one kept is rendered.
    private func series(
        in slot: ManagedAtomicLazyReference<Answered>, _ path: String, _ method: HTTPRequest.Method, _ status: Int
    ) -> Answered {
        if let answered = slot.load() { return answered }
        let answered = Answered(route: path, method: method.rawValue, status: status)
        let stored = slot.storeIfNilThenLoad(answered)
        if stored === answered { made.withLockedValue { $0.answered.append(answered) } }
        return stored
    }

    private func makeAnswered(_ path: String, _ method: HTTPRequest.Method, _ status: Int) -> Answered {
        let answered = Answered(route: path, method: method.rawValue, status: status)
        made.withLockedValue { $0.answered.append(answered) }
        return answered
    }

    /// Appends every series made so far to `buffer`, in Prometheus' text format 0.0.4.
    func render(into buffer: inout ByteBuffer) {
        let (answered, active) = made.withLockedValue { $0 }
        var text = ""
        if !answered.isEmpty {
            let counts = answered.map(\.cumulativeCounts)
            text += "# TYPE hb_requests counter\n"
            for (series, counts) in zip(answered, counts) { text += "hb_requests{\(series.labels)} \(counts.last!)\n" }
            text += "# TYPE http_server_request_duration histogram\n"
            for (series, counts) in zip(answered, counts) {
                let name = "http_server_request_duration"
                for (bound, count) in zip(Self.bucketBounds, counts) {
                    text += "\(name)_bucket{\(series.labels),le=\"\(bound)\"} \(count)\n"
                }
                text += "\(name)_bucket{\(series.labels),le=\"+Inf\"} \(counts.last!)\n"
                text += "\(name)_sum{\(series.labels)} \(series.seconds)\n"
                text += "\(name)_count{\(series.labels)} \(counts.last!)\n"
            }
        }
        if !active.isEmpty {
            text += "# TYPE http_server_active_requests gauge\n"
            for series in active {
                text +=
                    "http_server_active_requests{\(series.labels)} \(Double(series.count.load(ordering: .relaxed)))\n"
            }
        }
        buffer.writeString(text)
    }

    /// `name="value"` pairs, values escaped as the text format wants.
    static func labels(_ pairs: [(String, String)]) -> String {
        pairs.map { name, value in
            let escaped = value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
            return "\(name)=\"\(escaped)\""
        }.joined(separator: ",")
    }
}
