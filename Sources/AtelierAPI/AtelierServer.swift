import AtelierDatabase
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// Builds the server: the PostgreSQL pool, the router with every route of the API contract,
/// and the Hummingbird application that runs both and shuts both down gracefully.
public enum AtelierServer {
    /// The application `atelier-serve` runs: listening on the configured address, with the pool
    /// and the response cache's change listener as services, so that on SIGTERM or SIGINT
    /// in-flight requests finish before they close.
    public static func makeApplication(_ configuration: ServerConfiguration) throws -> some ApplicationProtocol {
        var logger = Logger(label: "atelier-serve")
        logger.logLevel = configuration.logLevel
        let client = makeClient(configuration.database, poolSize: configuration.poolSize,
                                deadline: configuration.databaseDeadline, logger: logger)
        let cache = ResponseCache(capacity: configuration.cacheCapacity)
        let database = APIDatabase(client: client, deadline: configuration.databaseDeadline, cache: cache)
        var application = Application(
            router: try makeRouter(database: database, logRequests: configuration.logLevel <= .debug),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "atelier-serve"),
            logger: logger
        )
        // Shut down in reverse order: the HTTP server, then the listener, then the pool.
        application.addServices(client, ChangeListener(client: client, cache: cache, logger: logger))
        return application
    }

    /// The router of the whole API over `database`; errors become `{"error": ...}` answers.
    /// Requests are logged only when asked (`--log-level debug`): it costs throughput.
    public static func makeRouter(database: APIDatabase, logRequests: Bool = false) throws -> Router<BasicRequestContext> {
        let router = Router()
        if logRequests { router.add(middleware: LogRequestsMiddleware(.debug)) }
        router.add(middleware: ErrorMiddleware())
        ProductRoutes(database: database).add(to: router)
        ReviewRoutes(database: database).add(to: router)
        QuestionRoutes(database: database).add(to: router)
        CartRoutes(database: database).add(to: router)
        OperationRoutes(database: database, openAPIDocument: try openAPIDocument()).add(to: router)
        return router
    }

    /// A connection pool to `parameters`; run it as a service of the application. Each
    /// connection's `statement_timeout` is the request deadline, so a statement stuck behind a
    /// lock (a table being reloaded, say) ends on the server too, and the client gets its 503.
    public static func makeClient(_ parameters: ConnectionParameters, poolSize: Int, deadline: Duration,
                                  logger: Logger) -> PostgresClient {
        let tls: PostgresClient.Configuration.TLS = switch parameters.sslMode {
        case "disable", "allow": .disable
        case "require", "verify-ca", "verify-full": .require(.makeClientConfiguration())
        default: parameters.unixSocketPath == nil && !isLoopback(parameters.host) ? .prefer(.makeClientConfiguration()) : .disable
        }
        var configuration = if let socket = parameters.unixSocketPath {
            PostgresClient.Configuration(unixSocketPath: socket, username: parameters.user,
                                         password: parameters.password, database: parameters.database)
        } else {
            PostgresClient.Configuration(host: parameters.host, port: parameters.port, username: parameters.user,
                                         password: parameters.password, database: parameters.database, tls: tls)
        }
        configuration.options.maximumConnections = max(1, poolSize)
        configuration.options.connectTimeout = .seconds(3)
        let milliseconds = deadline.components.seconds * 1000 + deadline.components.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters = [("statement_timeout", String(max(1, milliseconds)))]
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// The OpenAPI 3 description of the API, shipped with the module and served as it is.
    public static func openAPIDocument() throws -> ByteBuffer {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw APIError(.internalServerError, "openapi.json is missing from the AtelierAPI bundle")
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
