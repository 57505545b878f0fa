import AtelierTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The built `atelier-serve` (its path comes from `make test`), run as a real process on a
/// loopback port.
final class ServerProcess: Sendable {
    let port: Int
    private let process: Process

    /// With `logFile`, the server's standard error goes there.
    init(arguments: [String], logFile: String? = nil) throws {
        guard let path = ProcessInfo.processInfo.environment["ATELIER_SERVE"] else {
            throw TestDatabase.Missing(description: "ATELIER_SERVE is not set: run the tests with `make test`")
        }
        port = Int.random(in: 20_000...60_000)
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--host", "127.0.0.1", "--port", String(port)] + arguments
        process.standardOutput = FileHandle.nullDevice
        if let logFile {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logFile)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// A session that sends concurrent requests at once (URLSession's default is 6 per host).
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()

    /// Sends `method path` and returns the status code.
    func request(_ method: String, _ path: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        let (_, response) = try await Self.session.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Waits until `/health` answers 200, for at most ten seconds.
    func waitUntilHealthy() async throws {
        for _ in 0..<100 {
            if (try? await request("GET", "/health")) == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestDatabase.Missing(description: "atelier-serve did not become healthy on port \(port)")
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end and returns its exit status.
    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

@Suite struct ServerProcessTests {
    /// A vote waits on a row lock; SIGTERM arrives meanwhile. The server stops accepting, lets
    /// the vote finish (204, counted), then exits 0.
    @Test func sigtermLetsAnInFlightRequestFinishThenExitsZero() async throws {
        let database = try TestDatabase.create(template: Samples.template.get())
        let server = try ServerProcess(arguments: ["--database-url", database.apiURL])
        try await server.waitUntilHealthy()
        let lock = try database.connect()
        try lock.execute("BEGIN; SELECT helpfulness FROM reviews WHERE id = 1 FOR UPDATE")
        let vote = Task { try await server.request("PUT", "/reviews/1/helpful") }
        // Signal only once the vote is in flight: its UPDATE waits on the row lock.
        let waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        for _ in 0..<100 where try database.value(waiting) == "0" { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try database.value(waiting) == "1", "the vote reached the database")
        server.signal(SIGTERM)
        try await Task.sleep(for: .seconds(1))
        #expect(server.isRunning, "the server must wait for the request in flight")
        try lock.execute("COMMIT")
        let status = try await vote.value
        #expect(status == 204)
        #expect(server.waitForExit() == 0)
        #expect(try database.value("SELECT helpfulness FROM reviews WHERE id = 1") == "2")
    }

    @Test func usageErrorsExitOneAndABusyPortExitsTwo() async throws {
        let badOption = try ServerProcess(arguments: ["--pool-size", "0"])
        #expect(badOption.waitForExit() == 1)
        let badURL = try ServerProcess(arguments: ["--database-url", "port=abc"])
        #expect(badURL.waitForExit() == 1)
        let database = try TestDatabase.create(template: Samples.template.get())
        let first = try ServerProcess(arguments: ["--database-url", database.apiURL])
        try await first.waitUntilHealthy()
        let second = try ServerProcess(arguments: ["--database-url", database.apiURL, "--port", String(first.port)])
        #expect(second.waitForExit() == 2)
        first.signal(SIGINT)
        #expect(first.waitForExit() == 0)
    }
}
