import AtelierStore
import Hummingbird
import Logging
import PostgresNIO

/// The floor of the uncached path (issue 13, `bench/floor.sh`): a minimal Hummingbird route
/// running `GET /products/:product_id`'s prepared statement through PostgresClient, with none of
/// atelier-serve's layers (deadline, pool supervision, cache, compaction, ETag, metrics). The
/// difference between this and atelier-serve with the cache off is what those layers cost.
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

    /// Arguments: port, database host, database port, user, database, pool size.
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 7, let port = Int(arguments[1]), let databasePort = Int(arguments[3]),
            let poolSize = Int(arguments[6]), !Detail.sql.isEmpty
        else {
            print("usage: atelier-floor PORT DB_HOST DB_PORT USER DATABASE POOL_SIZE")
            return
        }
        var configuration = PostgresClient.Configuration(
            host: arguments[2], port: databasePort, username: arguments[4], password: nil, database: arguments[5],
            tls: .disable)
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = poolSize
        let logger = Logger(label: "atelier-floor")
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
}
