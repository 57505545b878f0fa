import Atomics
import Hummingbird
import NIOConcurrencyHelpers
import Prometheus

/// The request series of one registry. Each is made on first use, as Prometheus shows only
/// series that happened; the common ones (a route of the router with one of the statuses the
/// API answers) are then found without a lock, others in a locked table.
final class RequestSeries: Sendable {
    /// One route, method and status: its count and its latency histogram.
    final class Answered: Sendable {
        let count: Prometheus.Counter
        let duration: DurationHistogram

        init(_ registry: PrometheusCollectorRegistry, route: String, method: String, status: Int) {
            let labels = [
                ("http_route", route), ("http_request_method", method), ("http_response_status_code", String(status)),
            ]
            count = registry.makeCounter(descriptor: RequestSeries.named("hb_requests"), labels: labels)
            duration = registry.makeDurationHistogram(
                descriptor: RequestSeries.named("http_server_request_duration"), labels: labels,
                buckets: RequestSeries.buckets)
        }
    }

    /// The series of one route and method, one slot per status of `statuses`.
    private final class Route: Sendable {
        let slots: [ManagedAtomicLazyReference<Answered>] = RequestSeries.statuses.map { _ in
            ManagedAtomicLazyReference()
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

    /// The statuses the API answers, in the order of `Route.slots`.
    private static let statuses = [200, 201, 204, 304, 400, 404, 405, 413, 422, 500, 503]
    /// The methods the API serves, in the order of `activeSlots`.
    private static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete]
    /// The buckets swift-prometheus gives a swift-metrics timer, as Hummingbird's middleware had them.
    static let buckets = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        .defaultDurationHistogramBuckets

    /// A series name as Hummingbird's middleware had it, with no `# HELP` line.
    static func named(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: "")
    }

    private let registry: PrometheusCollectorRegistry
    private let routes = ManagedAtomicLazyReference<RouteTable>()
    private let activeSlots: [ManagedAtomicLazyReference<Prometheus.Gauge>]
    private let others = NIOLockedValueBox([OtherKey: Answered]())
    private let otherActive = NIOLockedValueBox([String: Prometheus.Gauge]())

    /// The routes' series by path and method, fixed once the router is complete.
    private final class RouteTable: Sendable {
        let routes: [RouteKey: Route]

        init(_ routes: [RouteKey: Route]) { self.routes = routes }
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        activeSlots = Self.methods.map { _ in ManagedAtomicLazyReference() }
    }

    /// Fixes the table of routes: called once, when every route is added; requests counted
    /// before (none, as the server is not listening yet) go to the locked table.
    func complete(_ routes: [Router<some RequestContext>.RouteDescription]) {
        let table = Dictionary(
            routes.map { (RouteKey(path: $0.path.description, method: $0.method), Route()) },
            uniquingKeysWith: { first, _ in first })
        _ = self.routes.storeIfNilThenLoad(RouteTable(table))
    }

    /// The gauge of requests in flight with `method`.
    func active(_ method: HTTPRequest.Method) -> Prometheus.Gauge {
        guard let index = Self.methods.firstIndex(of: method) else {
            return otherActive.withLockedValue { gauges in
                if let gauge = gauges[method.rawValue] { return gauge }
                let gauge = makeActive(method)
                gauges[method.rawValue] = gauge
                return gauge
            }
        }
        return activeSlots[index].load() ?? activeSlots[index].storeIfNilThenLoad(makeActive(method))
    }

    private func makeActive(_ method: HTTPRequest.Method) -> Prometheus.Gauge {
        registry.makeGauge(
            descriptor: Self.named("http_server_active_requests"), labels: [("http_request_method", method.rawValue)])
    }

    /// The series made in the locked table: requests no route of the router answered, or with
    /// a status the API does not use.
    var seriesOutsideTheTable: Int { others.withLockedValue { $0.count } }

    /// Counts a request to `path` (the router's endpoint; nil when no route matched) answered
    /// with `status` after `duration`.
    func answered(
        _ path: String?, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status, after duration: Duration
    ) {
        let answered = series(path ?? "NotFound", method, status.code)
        answered.count.increment()
        answered.duration.record(duration)
    }

    private func series(_ path: String, _ method: HTTPRequest.Method, _ status: Int) -> Answered {
        if let route = routes.load()?.routes[RouteKey(path: path, method: method)],
            let index = Self.statuses.firstIndex(of: status)
        {
            let slot = route.slots[index]
            return slot.load()
                ?? slot.storeIfNilThenLoad(Answered(registry, route: path, method: method.rawValue, status: status))
        }
        return others.withLockedValue { others in
            let key = OtherKey(path: path, method: method, status: status)
            if let answered = others[key] { return answered }
            let answered = Answered(registry, route: path, method: method.rawValue, status: status)
            others[key] = answered
            return answered
        }
    }
}
