import AtelierTestSupport
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Testing

@Suite struct ServerProcessTests {
    /// `--help` prints the usage and the exit codes on standard output and exits 0; `--version`
    /// the release.
    /// The programs run off the concurrency pool (`blocking`), which the suite's other tests need.
    @Test func helpAndVersion() async throws {
        for arguments in [["--help"], ["-h"]] {
            let result = try await blocking { try runServe(arguments) }
            #expect(result.status == 0, "\(arguments)")
            #expect(result.stdout.contains("USAGE: atelier-serve"), "\(arguments): \(result.stdout)")
            #expect(result.stdout.contains("2  cannot start"), "\(arguments)")
            #expect(result.stderr.isEmpty, "\(arguments)")
        }
        let version = try await blocking { try runServe(["--version"]) }
        let etlVersion = try await blocking { try runETL(["--version"]) }
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("atelier-serve ") && version.stdout.hasSuffix("\n"), "\(version.stdout)")
        #expect(version.stdout == etlVersion.stdout.replacingOccurrences(of: "-etl", with: "-serve"))
        #expect(try await blocking { try runServe(["--frobnicate"]) }.status == 1)
    }

    /// A vote waits on a row lock; SIGTERM arrives meanwhile. The server stops accepting, lets
    /// the vote finish (204, counted), then exits 0. The deadline is long, so that a busy machine
    /// cannot turn the vote into a 503 before the lock goes.
    @Test func sigtermLetsAnInFlightRequestFinishThenExitsZero() async throws {
        let database = try await Samples.copy()
        let server = try ServerProcess(arguments: ["--database-url", database.apiURL, "--database-timeout", "60"])
        try await server.waitUntilHealthy()
        let lock = try database.connect()
        try lock.execute("BEGIN; SELECT helpfulness FROM reviews WHERE id = 1 FOR UPDATE")
        let vote = Task { try await server.request("PUT", "/reviews/1/helpful") }
        // Signal only once the vote is in flight: its UPDATE waits on the row lock.
        let waiting =
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        for _ in 0..<100 where try database.value(waiting) == "0" { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try database.value(waiting) == "1", "the vote reached the database")
        server.signal(SIGTERM)
        try await Task.sleep(for: .seconds(1))
        #expect(server.isRunning, "the server must wait for the request in flight")
        try lock.execute("COMMIT")
        let status = try await vote.value
        #expect(status == 204)
        #expect(await server.waitForExit() == 0)
        #expect(try database.value("SELECT helpfulness FROM reviews WHERE id = 1") == "2")
    }

    @Test func usageErrorsExitOneAndABusyPortExitsTwo() async throws {
        let badOption = try ServerProcess(arguments: ["--pool-size", "0"])
        #expect(await badOption.waitForExit() == 1)
        let badURL = try ServerProcess(arguments: ["--database-url", "port=abc"])
        #expect(await badURL.waitForExit() == 1)
        let database = try await Samples.copy()
        let first = try ServerProcess(arguments: ["--database-url", database.apiURL])
        try await first.waitUntilHealthy()
        let second = try ServerProcess(arguments: ["--database-url", database.apiURL, "--port", String(first.port)])
        #expect(await second.waitForExit() == 2)
        first.signal(SIGINT)
        #expect(await first.waitForExit() == 0)
    }
}
