#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// One TCP connection to a loopback server, for what an HTTP client library hides: several
/// requests sent in one write (pipelined), and when the server closes the connection. Reads
/// block, so they run on a thread of their own (`blocking`), never on one of the few threads
/// every test's async work shares; one read at a time, each awaited before the next.
public final class RawHTTPConnection: @unchecked Sendable {
    /// One answer read off the connection.
    public struct Answer: Sendable {
        public let status: Int
        /// Header fields by lowercased name.
        public let headers: [String: String]
        public let body: String
    }

    private let socket: Int32
    private var received: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; reads give up after `timeout` seconds.
    public init(port: Int, timeout: Int = 10) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED)
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    /// Sends `text` in one write; whether all of it went.
    @discardableResult
    public func send(_ text: String) -> Bool {
        Glibc.send(socket, text, text.utf8.count, 0) == text.utf8.count
    }

    /// `GET path` as one request's text, with `headers` (`Name: value` each).
    public static func get(_ path: String, headers: [String] = []) -> String {
        "GET \(path) HTTP/1.1\r\nHost: localhost\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
    }

    /// The next `count` answers, in the order they came; fewer when the connection ends or a
    /// read times out first. Every answer is read to the end of its `Content-Length`.
    public func answers(_ count: Int) async throws -> [Answer] {
        try await blocking { self.readAnswers(count) }
    }

    /// Sends `request` `times` times, each once the answer to the one before came and `gap`
    /// after it, all on one thread of its own, so that a busy test process cannot stretch the
    /// gaps; the answers' statuses, fewer when the connection ends first.
    public func keepBusy(with request: String, times: Int, gap: Duration) async throws -> [Int] {
        try await blocking {
            var statuses: [Int] = []
            for _ in 0..<times {
                guard self.send(request), let answer = self.readAnswers(1).first else { break }
                statuses.append(answer.status)
                usleep(useconds_t(gap / .microseconds(1)))
            }
            return statuses
        }
    }

    /// How long the server took to close the connection (a read sees its end), timed on the
    /// reading thread; nil when it did not within the read timeout.
    public func closedByServer() async throws -> Duration? {
        try await blocking {
            let start = ContinuousClock.now
            return self.readToEnd() ? ContinuousClock.now - start : nil
        }
    }

    private func readAnswers(_ count: Int) -> [Answer] {
        var answers: [Answer] = []
        while answers.count < count {
            if let answer = nextAnswer() {
                answers.append(answer)
            } else if !receiveMore() {
                break
            }
        }
        return answers
    }

    private func readToEnd() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return false }
        }
    }

    private func receiveMore() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = recv(socket, &buffer, buffer.count, 0)
        guard count > 0 else { return false }
        received += buffer.prefix(count)
        return true
    }

    /// Takes one whole answer off what was received, if there is one.
    private func nextAnswer() -> Answer? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = received.indices.dropLast(3).first(where: { received[$0..<$0 + 4].elementsEqual(separator) })
        else { return nil }
        let lines = String(decoding: received[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard received.count >= bodyStart + length else { return nil }
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let body = String(decoding: received[bodyStart..<bodyStart + length], as: UTF8.self)
        received.removeFirst(bodyStart + length)
        return Answer(status: status, headers: headers, body: body)
    }
}
