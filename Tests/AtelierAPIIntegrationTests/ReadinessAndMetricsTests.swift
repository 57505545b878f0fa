@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierTestSupport
import Foundation
import HTTPTypes
import Testing

/// `ETag` and 304, `GET /ready` and `GET /metrics`.
@Suite struct ReadinessAndMetricsTests {
    @Test func getAnswersCarryAStrongEntityTagAndAMatchIs304WithoutABody() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, database in
            #expect(await eventually { cache.isEnabled })
            let first = try await client.get("/reviews/meta?product_id=2")
            let tag = try #require(first.entityTag)
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\"") && tag.count == 18, "a strong tag: \(tag)")
            #expect(try await client.get("/reviews/meta?product_id=2").entityTag == tag, "the cached answer keeps it")
            for header in [tag, "W/\(tag)", "\"0000000000000000\", \(tag)", "*"] {
                let again = try await client.get("/reviews/meta?product_id=2", headers: [.ifNoneMatch: header])
                #expect(again.status == .notModified, "If-None-Match: \(header)")
                #expect(again.byteCount == 0 && again.entityTag == tag)
            }
            let other = try await client.get(
                "/reviews/meta?product_id=2", headers: [.ifNoneMatch: "\"0000000000000000\""])
            #expect(other.status == .ok && other.byteCount > 0)
            #expect(try await client.get("/reviews/meta?product_id=3").entityTag != tag)
            // A change gives a new answer and so a new tag; the old one no longer matches.
            _ = try database.rows("UPDATE reviews SET rating = 6 - rating WHERE product_id = 2")
            #expect(
                await eventually {
                    (try? await client.get("/reviews/meta?product_id=2", headers: [.ifNoneMatch: tag]).status) == .ok
                })
            let errors = try await client.get("/products/999999", headers: [.ifNoneMatch: "*"])
            #expect(errors.status == .notFound && errors.entityTag == nil, "only 200 answers are tagged")
        }
    }

    @Test func readyNeedsTheDatabaseAndWithACacheTheListener() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, database in
            #expect(try await eventually { try await client.get("/ready").status == .ok })
            _ = try database.rows("ALTER TABLE reviews DISABLE TRIGGER reviews_notify_delete")
            #expect(try await eventually(within: 20) { try await client.get("/ready").status == .serviceUnavailable })
            let notReady = try await client.get("/ready")
            notReady.expectError(503, "the change listener is not connected yet")
            let metrics = try await client.get("/metrics").text
            #expect(Self.value(metrics, "atelier_ready_state") == 0, "the alert's series follows /ready")
            #expect(Self.value(metrics, "atelier_listener_connected_state") == 0)
            #expect(try await client.get("/health").status == .ok, "health stays: the database answers")
            _ = try database.rows("ALTER TABLE reviews ENABLE ALWAYS TRIGGER reviews_notify_delete")
            #expect(try await eventually(within: 20) { try await client.get("/ready").status == .ok })
        }
        let nowhere = ConnectionParameters(
            host: "127.0.0.1", port: 9, user: "postgres", password: nil, database: "atelier", sslMode: "disable")
        try await APIHarness.withApp(database: nowhere, deadline: .milliseconds(500)) { client in
            try await client.get("/ready").expectError(503, "the database is unavailable, try again shortly")
        }
    }

    @Test func metricsReportRequestsLatencyCachePoolAndListener() async throws {
        let cache = ResponseCache(capacity: 16 << 20)
        try await APIHarness.withSamples(cache: cache) { client, _ in
            #expect(await eventually { cache.isEnabled })
            for _ in 0..<3 { _ = try await client.get("/products/1") }
            _ = try await client.get("/products/0")
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
            let text = metrics.text
            for expected in [
                #"hb_requests{http_route="/products/{product_id}",http_request_method="GET",http_response_status_code="200"}"#,
                #"http_response_status_code="404""#,
                #"http_server_request_duration_bucket{http_route="/products/{product_id}",http_request_method="GET",http_response_status_code="200",le="0.005"}"#,
                "atelier_cache_hits_total ", "atelier_cache_misses_total ", "atelier_cache_invalidations_total ",
                "atelier_cache_held_bytes ", "atelier_cache_held_answers ", "atelier_database_connections_in_use ",
                "atelier_database_requests_waiting ", "atelier_listener_connected_state 1",
                "atelier_database_batches_total ", "atelier_database_batched_reads_total ",
                "atelier_cache_capacity_bytes 16777216", "atelier_database_reachable_state 1", "atelier_ready_state 1",
            ] {
                #expect(text.contains(expected), "\(expected)")
            }
            #expect(Self.value(text, "process_resident_memory_bytes") > 1_000_000)
            let hits = Self.value(text, "atelier_cache_hits_total")
            let batchedReads = Self.value(text, "atelier_database_batched_reads_total")
            _ = try await client.get("/products/1")
            _ = try await client.get("/products/2")
            let after = try await client.get("/metrics").text
            #expect(Self.value(after, "atelier_cache_hits_total") >= hits + 1)
            #expect(Self.value(after, "atelier_database_batched_reads_total") >= batchedReads + 1, "the miss")
        }
    }

    /// The value of an unlabelled metric in a scrape.
    static func value(_ text: String, _ name: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
            ?? -1
    }
}
