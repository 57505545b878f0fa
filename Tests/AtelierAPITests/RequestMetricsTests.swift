@testable import AtelierAPI
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

/// `APIMiddleware` writes the series Hummingbird's `MetricsMiddleware` wrote (the
/// alert rules and dashboards read them by these names and labels), from its lock-free table
/// for the router's routes and from the locked one for anything else, with the status the
/// client gets (an error's, a 304), in the text swift-prometheus writes for the same series.
@Suite struct RequestMetricsTests {
    @Test func requestsAreCountedAndTimedByRouteMethodAndStatus() async throws {
        let series = RequestSeries()
        let router = Router()
        router.add(middleware: APIMiddleware(series: series))
        router.get("products/:product_id") { _, _ in "{}" }
        router.get("teapot") { _, _ -> Response in Response(status: .init(code: 418)) }
        router.get("tagged") { _, _ -> Response in .json(ByteBuffer(string: "{}"), tag: #""t""#) }
        router.put("reviews/:review_id/helpful") { _, _ -> Response in throw HTTPError(.unprocessableContent) }
        series.complete(router.routes)
        try await Application(router: router).test(.router) { client in
            for id in 1...3 { _ = try await client.execute(uri: "/products/\(id)", method: .get) }
            _ = try await client.execute(uri: "/teapot", method: .get)
            _ = try await client.execute(uri: "/reviews/1/helpful", method: .put)
            _ = try await client.execute(uri: "/nowhere", method: .get)
            let revalidated = try await client.execute(uri: "/tagged", method: .get, headers: [.ifNoneMatch: #""t""#])
            #expect(revalidated.status == .notModified)
        }
        var buffer = ByteBuffer()
        series.render(into: &buffer)
        let text = String(buffer: buffer)
        let product = #"http_route="/products/{product_id}",http_request_method="GET",http_response_status_code="200""#
        for expected in [
            "hb_requests{\(product)} 3",
            "http_server_request_duration_count{\(product)} 3",
            "http_server_request_duration_bucket{\(product),le=\"+Inf\"} 3",
            #"hb_requests{http_route="/teapot",http_request_method="GET",http_response_status_code="418"} 1"#,
            #"hb_requests{http_route="/reviews/{review_id}/helpful",http_request_method="PUT",http_response_status_code="422"} 1"#,
            #"hb_requests{http_route="NotFound",http_request_method="GET",http_response_status_code="404"} 1"#,
            #"hb_requests{http_route="/tagged",http_request_method="GET",http_response_status_code="304"} 1"#,
            #"http_server_active_requests{http_request_method="GET"} 0.0"#,
            #"http_server_active_requests{http_request_method="PUT"} 0.0"#,
            "# TYPE hb_requests counter",
            "# TYPE http_server_request_duration histogram",
            "# TYPE http_server_active_requests gauge",
        ] {
            #expect(text.contains(expected + "\n"), "\(expected)")
        }
        #expect(!text.contains("http_request_method=\"POST\""), "a series appears only once it happened")
        #expect(series.seriesOutsideTheTable == 2, "only the 418 and the unknown route take the lock")
        #expect(text.components(separatedBy: "# TYPE").count == 4, "each name once")
    }

    /// A duration lands in the bucket of the first bound it does not pass and the sum and count
    /// are those of the histogram swift-prometheus keeps for the same durations.
    @Test func theHistogramIsTheOneSwiftPrometheusWrites() throws {
        let durations: [Duration] = [
            .zero, .milliseconds(5), .microseconds(5_001), .milliseconds(120), .seconds(10), .seconds(11),
        ]
        let registry = PrometheusCollectorRegistry()
        let reference = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "http_server_request_duration", unitName: "", helpText: ""),
            labels: [("http_route", "/r"), ("http_request_method", "GET"), ("http_response_status_code", "200")],
            buckets: RequestSeries.buckets)
        let series = RequestSeries()
        for duration in durations {
            reference.record(duration)
            series.answered("/r", .get, .ok, after: duration)
        }
        var buffer = ByteBuffer()
        series.render(into: &buffer)
        let lines = String(buffer: buffer).split(separator: "\n")
        let expected = String(decoding: registry.emitToBuffer(), as: UTF8.self).split(separator: "\n")
        let counted = expected.filter { $0.contains("_bucket{") || $0.contains("_count{") }
        #expect(counted.count == RequestSeries.buckets.count + 2)
        for line in counted { #expect(lines.contains(line), "\(line)") }
        let sum = { (lines: [Substring]) in
            try #require(lines.first { $0.hasPrefix("http_server_request_duration_sum{") }?.split(separator: " ").last)
        }
        #expect(try Double(sum(lines)) == Double(sum(expected)))
        #expect(
            lines.contains(#"hb_requests{http_route="/r",http_request_method="GET",http_response_status_code="200"} 6"#)
        )
    }

    @Test func labelValuesAreEscapedAsTheTextFormatWants() {
        #expect(RequestSeries.labels([("a", "x\"y\\z\nw"), ("b", "c")]) == #"a="x\"y\\z\nw",b="c""#)
    }

    @Test func theLatencyBucketsAreThoseOfASwiftMetricsTimer() {
        let factory = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        #expect(RequestSeries.buckets == factory.defaultDurationHistogramBuckets)
        #expect(RequestSeries.buckets.first == .milliseconds(5))
    }
}
