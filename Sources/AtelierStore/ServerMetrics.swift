import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Prometheus

/// The server's metrics for Prometheus (`GET /metrics`, text format 0.0.4), in the registry it
/// is given: the cache, the pool and the listener report here. The HTTP layer counts and times
/// requests by route and status itself (`RequestSeries`) and writes them after these.
/// Counting on the request path takes no lock: every series is registered here, once.
public final class ServerMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry
    package let cacheHits: Prometheus.Counter
    package let cacheMisses: Prometheus.Counter
    private let cacheInvalidations: Prometheus.Counter
    package let replicaReads: Prometheus.Counter
    package let batches: Prometheus.Counter
    package let batchedReads: Prometheus.Counter
    private let replicaLagBytes: Prometheus.Gauge
    private let replicaLagSeconds: Prometheus.Gauge
    private let cacheBytes: Prometheus.Gauge
    private let cacheAnswers: Prometheus.Gauge
    private let connectionsInUse: Prometheus.Gauge
    private let connectionsWaiting: Prometheus.Gauge
    private let listenerConnected: Prometheus.Gauge
    private let databaseReachable: Prometheus.Gauge
    private let ready: Prometheus.Gauge
    private let cacheCapacity: Prometheus.Gauge
    private let residentMemory: Prometheus.Gauge
    /// The cache's count of applied changes at the last scrape: the counter moves by the difference.
    private let invalidationsCounted = NIOLockedValueBox(0)

    /// The server's own series in `registry` (a fresh one unless given).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func counter(_ subsystem: String, _ name: String, _ help: String) -> Prometheus.Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "atelier", subsystem: subsystem, metricName: name, unitName: "total", helpText: help))
        }
        func gauge(
            _ subsystem: String, _ name: String, _ unit: String, _ help: String, namespace: String = "atelier"
        ) -> Prometheus.Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: namespace, subsystem: subsystem, metricName: name, unitName: unit, helpText: help))
        }
        cacheHits = counter("cache", "hits", "Answers served from the response cache.")
        cacheMisses = counter("cache", "misses", "Cacheable requests that went to the database.")
        cacheInvalidations = counter("cache", "invalidations", "Table changes applied to the response cache.")
        cacheBytes = gauge("cache", "held", "bytes", "Bytes the response cache holds.")
        cacheAnswers = gauge("cache", "held", "answers", "Answers the response cache holds.")
        cacheCapacity = gauge("cache", "capacity", "bytes", "The response cache's budget (--cache-size); 0: no cache.")
        residentMemory = gauge(
            "", "resident_memory", "bytes", "The server's resident memory (RSS).", namespace: "process")
        databaseReachable = gauge(
            "database", "reachable", "state", "1 while the pool reaches PostgreSQL, else 0 (requests get 503).")
        ready = gauge(
            "", "ready", "state",
            "1 while GET /ready would answer 200: the database reachable and the cache kept correct.")
        connectionsInUse = gauge("database", "connections_in", "use", "Pooled connections serving a request.")
        connectionsWaiting = gauge("database", "requests", "waiting", "Requests waiting for a database connection.")
        listenerConnected = gauge("listener", "connected", "state", "1 while the change listener listens, else 0.")
        batches = counter(
            "database", "batches", "Statements run for the read routes, each answering a batch of requests.")
        batchedReads = counter("database", "batched_reads", "Read requests answered by those statements.")
        replicaReads = counter("replica", "reads", "Reads sent to the replica (--read-database-url).")
        replicaLagBytes = gauge(
            "replica", "lag", "bytes", "WAL bytes from the replica's replay position to the primary's latest marker.")
        replicaLagSeconds = gauge(
            "replica", "lag", "seconds", "How long the oldest marker the replica has not replayed has waited.")
    }

    /// Resident memory from `/proc/self/statm` (Linux), 0 where it cannot be read.
    package static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The text a scrape gets: current gauges, then every metric.
    package func render(cache: ResponseCache, pool: DatabasePool, router: ReadRouter) -> ByteBuffer {
        cacheBytes.set(Int64(cache.bytesHeld))
        cacheAnswers.set(Int64(cache.answerCount))
        let invalidations = cache.invalidations
        let newInvalidations = invalidationsCounted.withLockedValue { counted in
            defer { counted = max(counted, invalidations) }
            return max(0, invalidations - counted)
        }
        if newInvalidations > 0 { cacheInvalidations.increment(by: Int64(newInvalidations)) }
        let load = pool.load
        connectionsInUse.set(Int64(load.inFlight - load.waiting))
        connectionsWaiting.set(Int64(load.waiting))
        listenerConnected.set(Int64(router.isListening ? 1 : 0))
        cacheCapacity.set(Int64(cache.capacity))
        residentMemory.set(Int64(Self.residentBytes()))
        databaseReachable.set(Int64(pool.isReachable ? 1 : 0))
        ready.set(Int64(pool.isReachable && cache.keepsCorrect ? 1 : 0))
        let lag = router.lag
        replicaLagBytes.set(Int64(clamping: lag.bytes))
        replicaLagSeconds.set(lag.seconds)
        return ByteBuffer(bytes: registry.emitToBuffer())
    }
}
