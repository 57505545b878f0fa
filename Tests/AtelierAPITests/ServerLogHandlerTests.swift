@testable import AtelierAPI
import Logging
import NIOConcurrencyHelpers
import Testing

struct ServerLogHandlerTests {
    /// Lines written to a stream, for comparing handlers.
    final class Lines: TextOutputStream, @unchecked Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        func write(_ string: String) { lines.withLockedValue { $0.append(string) } }
        /// The lines without their leading timestamp.
        var untimed: [String] { lines.withLockedValue { $0 }.map { String($0.drop { $0 != " " }) } }
    }

    /// The same calls through `Logger`s made by each handler, at the warning level.
    private static func logged(_ factory: (Lines) -> any LogHandler) -> [String] {
        let lines = Lines()
        var logger = Logger(label: "atelier-serve") { _ in factory(lines) }
        logger.logLevel = .warning
        logger[metadataKey: "hb.request.id"] = "17"
        logger.debug("not written")
        logger.warning("written", metadata: ["table": "reviews", "hb.request.id": "18"])
        logger[metadataKey: "connection"] = "3"
        logger.error("again")
        return lines.untimed
    }

    @Test func writesTheLinesStreamLogHandlerWrites() {
        let own = Self.logged { ServerLogHandler(writingTo: StreamLogHandler(label: "atelier-serve", stream: $0)) }
        let stream = Self.logged { StreamLogHandler(label: "atelier-serve", stream: $0) }
        #expect(own == stream)
        #expect(own.count == 2 && own[0].contains("hb.request.id=18") && own[1].contains("connection=3"))
    }
}
