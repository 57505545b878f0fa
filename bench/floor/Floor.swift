import AtelierStore
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// The floors `atelier-serve` is measured against, each a minimal Hummingbird server with none of
/// its layers (deadline, pool supervision, cache, compaction, ETag, metrics):
/// - `statement` (`bench/floor.sh`): `GET /products/:product_id`'s prepared statement through
///   PostgresClient, the floor of the uncached path;
/// - `constant` (`bench/hot.sh`, `bench/layers.sh`): every GET answered with the same bytes,
///   the floor of a cached answer.
@main struct Floor {
    /// `GET /products/:product_id`'s statement, as atelier-serve runs it.
    struct Detail: PostgresPreparedStatement {
        typealias Row = ByteBuffer
        static let sql = RouteSQL.readRoutes.first { $0.route == "GET /products/:product_id" }?.sql ?? ""
        let id: Int32

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> ByteBuffer { try row.decode(ByteBuffer.self) }
    }

    static let usage = """
        usage: atelier-floor statement PORT DB_HOST DB_PORT USER DATABASE POOL_SIZE
               atelier-floor constant PORT BODY_FILE
        """

    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let logger = Logger(label: "atelier-floor")
        switch (arguments.first, arguments.count) {
        case ("statement", 7):
            guard let port = Int(arguments[1]), let databasePort = Int(arguments[3]), let poolSize = Int(arguments[6])
            else { break }
            try await statementFloor(
                port: port, host: arguments[2], databasePort: databasePort, user: arguments[4],
                database: arguments[5], poolSize: poolSize, logger: logger)
            return
        case ("constant", 3):
            guard let port = Int(arguments[1]), let body = FileManager.default.contents(atPath: arguments[2])
            else { break }
            try await constantFloor(port: port, body: ByteBuffer(bytes: body), logger: logger)
            return
        default:
            break
        }
        print(usage)
        exit(2)
    }

    static func statementFloor(
        port: Int, host: String, databasePort: Int, user: String, database: String, poolSize: Int, logger: Logger
    ) async throws {
        var configuration = PostgresClient.Configuration(
            host: host, port: databasePort, username: user, password: nil, database: database, tls: .disable)
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = poolSize
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let router = Router()
        router.get("products/:id") { _, context -> Response in
            let id = try context.parameters.require("id", as: Int32.self)
            for try await row in try await client.execute(Detail(id: id), logger: logger) {
                return Response(
                    status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: row))
            }
            return Response(status: .notFound)
        }
        var application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        application.addServices(client)
        try await application.runService()
    }

    /// Every GET, whatever its path, gets `body` (shared, never copied) as JSON.
    static func constantFloor(port: Int, body: ByteBuffer, logger: Logger) async throws {
        let router = Router()
        router.get("**") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
        }
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await application.runService()
    }
}
