#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built `atelier-serve` (its path comes from `make test`), run as a real process on a
/// loopback port.
public final class ServerProcess: Sendable {
    public let port: Int
    private let process: Process

    /// With `logFile`, the server's standard error goes there. With `launcher` (a command and
    /// its options, `setpriv …`), the server runs under it; `port` picks the port.
    public init(arguments: [String], logFile: String? = nil, launcher: [String] = [], port: Int? = nil) throws {
        guard let path = ProcessInfo.processInfo.environment["ATELIER_SERVE"] else {
            throw TestDatabase.Missing(description: "ATELIER_SERVE is not set: run the tests with `make test`")
        }
        self.port =
            port
            ?? Self.nextPort.withLock { port in
                defer { port = port < 32_000 ? port + 1 : 10_000 }
                return port
            }
        process = Process()
        let command = launcher + [path, "--host", "127.0.0.1", "--port", String(self.port)] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        if let logFile {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logFile)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Ports handed out in turn, so two servers of a run never share one; below Linux's
    /// ephemeral range (32768 up), where a client connection's local port would make the bind fail.
    private static let nextPort = Mutex(Int.random(in: 10_000..<32_000))

    /// A session that sends concurrent requests at once (URLSession's default is 6 per host).
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()

    /// Sends `method path` and returns the status code.
    public func request(_ method: String, _ path: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        let (_, response) = try await Self.session.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Sends `method path` with an optional JSON body; returns the status and the body.
    public func send(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await Self.session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// Waits until `/health` answers 200, for at most twenty seconds (a debug build starting
    /// while the rest of the suite runs).
    public func waitUntilHealthy() async throws {
        for _ in 0..<200 {
            if (try? await request("GET", "/health")) == 200 { return }
            guard process.isRunning else {
                throw TestDatabase.Missing(
                    description: "atelier-serve on port \(port) exited with status \(process.terminationStatus)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestDatabase.Missing(description: "atelier-serve did not become healthy on port \(port)")
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits up to `seconds` for the process to end and returns its exit status; nil (after
    /// killing it) when it did not end, so a server that hangs fails the test instead of the run.
    /// Polls rather than blocking: a blocked thread would be one of the few Swift concurrency has.
    public func waitForExit(within seconds: Double = 30) async -> Int32? {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning, ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
