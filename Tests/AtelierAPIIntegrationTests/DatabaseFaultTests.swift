#if canImport(Glibc)
    import Glibc
#endif
import AtelierTestSupport
import Foundation
import Testing

/// The server against a PostgreSQL that goes away, comes back, or freezes: on a cluster of the
/// suite's own, so the other tests keep theirs. `make faults` adds the 90 s outage.
@Suite(.serialized) struct DatabaseFaultTests {
    static let cluster = Result { try PrivateCluster(port: 5531) }

    static var outages: [Int] {
        ProcessInfo.processInfo.environment["ATELIER_LONG_FAULTS"] == nil ? [0, 10] : [0, 10, 90]
    }

    /// Sends `path` every 100 ms until it answers 200 or `limit` passes; the time it took.
    static func firstSuccess(_ server: ServerProcess, _ path: String, limit: Duration) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if (try? await server.request("GET", path)) == 200 { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test(arguments: outages) func backWithinFiveSecondsOfTheDatabase(outage seconds: Int) async throws {
        let cluster = try await blocking { try Self.cluster.get() }
        let log = try Repository.temporaryDirectory() + "/serve.log"
        let server = try ServerProcess(
            arguments: [
                "--database-url", cluster.apiURL, "--database-timeout", "1",
                "--cache-size", "0",
            ], logFile: log)
        try await server.waitUntilHealthy()
        #expect(try await server.request("GET", "/products/1") == 200)
        try await blocking { try cluster.stop() }
        // Traffic all through the outage, as a storefront would send it.
        let outageEnds = ContinuousClock.now + .seconds(seconds)
        repeat {
            #expect(try await server.request("GET", "/products/2") == 503)
            try await Task.sleep(for: .milliseconds(500))
        } while ContinuousClock.now < outageEnds
        try await blocking { try cluster.start() }
        let back = try await Self.firstSuccess(server, "/products/1", limit: .seconds(30))
        #expect(back != nil && back! < .seconds(5), "first 200 after \(String(describing: back))")
        server.signal(SIGTERM)
        #expect(await server.waitForExit() == 0)
        // One warning per change of state, not one per request (a blip shorter than a tick may
        // never show as one).
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let down = lines.filter { $0.contains("database unreachable") }.count
        let up = lines.filter { $0.contains("database reachable again") }.count
        #expect(seconds == 0 ? down <= 1 : down == 1, "one warning per outage")
        #expect(up == down)
    }

    @Test func aFrozenDatabaseIsAnsweredWithinTheDeadlineAndItsConnectionsAreNotReused() async throws {
        let cluster = try await blocking { try Self.cluster.get() }
        let server = try ServerProcess(arguments: [
            "--database-url", cluster.apiURL, "--database-timeout", "2",
            "--cache-size", "0", "--pool-size", "8",
        ])
        try await server.waitUntilHealthy()
        let routes = [
            "/products/1", "/products/2/styles", "/products/3/related", "/reviews?product_id=2",
            "/reviews/meta?product_id=2", "/qa/questions?product_id=1", "/qa/questions/1/answers", "/products",
        ]
        // Eight routes at once behind a lock open all eight pool connections (one statement of
        // each route: only statements of one route share a batch).
        let admin = try TestDatabase(name: "atelier", url: cluster.url).connect()
        try admin.execute("BEGIN; LOCK TABLE product, questions IN ACCESS EXCLUSIVE MODE")
        async let warm: [Int] = withThrowingTaskGroup(of: Int.self) { group in
            for route in routes { group.addTask { try await server.request("GET", route) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await Task.sleep(for: .milliseconds(700))
        try admin.execute("COMMIT")
        #expect(try await warm == Array(repeating: 200, count: 8))
        let opened = try admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'atelier-serve'")
            .compactMap { $0[0] }
        #expect(opened.count == 8)

        try await blocking { try cluster.freeze() }
        let answers = try await withThrowingTaskGroup(of: (Int, Duration).self) { group in
            for route in routes {
                group.addTask {
                    let start = ContinuousClock.now
                    let status = try await server.request("GET", route)
                    return (status, ContinuousClock.now - start)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await blocking { try cluster.thaw() }
        #expect(answers.map(\.0) == Array(repeating: 503, count: 8))
        for (_, took) in answers { #expect(took < .seconds(3), "answered after \(took)") }
        #expect(try await Self.firstSuccess(server, "/products/1", limit: .seconds(10)) != nil)
        // The connections that timed out were closed: their backends are gone, none reused.
        let stillOpen = { () throws -> Int in
            try admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'atelier-serve'")
                .compactMap { $0[0] }.filter(opened.contains).count
        }
        var remaining = try stillOpen()
        for _ in 0..<50 where remaining > 0 {
            try await Task.sleep(for: .milliseconds(100))
            remaining = try stillOpen()
        }
        #expect(remaining == 0)
        server.signal(SIGTERM)
        #expect(await server.waitForExit() == 0)
    }
}
