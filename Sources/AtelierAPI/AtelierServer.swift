import AtelierStore
import AtelierPostgres
import AtelierSchema
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import PostgresNIO

/// Builds the server: the PostgreSQL pool, the router with every route of the API contract,
/// and the Hummingbird application that runs both and shuts both down gracefully.
public enum AtelierServer {
    /// The application `atelier-serve` runs: listening on the configured address, with the pool
    /// and the response cache's change listener as services, so that on SIGTERM or SIGINT
    /// in-flight requests finish before they close. Its own series go to `metrics`.
    public static func makeApplication(_ configuration: ServerConfiguration, metrics: ServerMetrics) throws
        -> some ApplicationProtocol
    {
        var logger = Logger(label: "atelier-serve", factory: ServerLogHandler.init)
        logger.logLevel = configuration.logLevel
        let pool = DatabasePool(
            parameters: configuration.database, poolSize: configuration.poolSize,
            maximumWaiting: configuration.maximumWaiting, deadline: configuration.databaseDeadline,
            logger: logger)
        let readPool = configuration.readDatabase.map {
            DatabasePool(
                parameters: $0, poolSize: configuration.poolSize, maximumWaiting: configuration.maximumWaiting,
                deadline: configuration.databaseDeadline, logger: logger)
        }
        let cache = ResponseCache(capacity: configuration.cacheCapacity)
        let database = APIDatabase(
            pool: pool, readPool: readPool, deadline: configuration.databaseDeadline, cache: cache,
            batchesPerRoute: configuration.batchesPerRoute, metrics: metrics)
        let requestSeries = RequestSeries()
        let logRequests = configuration.logLevel <= .debug
        let router = try makeRouter(database: database, requestSeries: requestSeries, logRequests: logRequests)
        let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(configuration.idleTimeout.components.seconds))
        var application = Application(
            router: router,
            // Requests logged are logged by the router, and without a cache there are no hits:
            // then every request goes to the router.
            server: logRequests || configuration.cacheCapacity == 0
                ? .http1(configuration: http1)
                : .http1(
                    configuration: http1,
                    hits: CacheHitResponder(
                        reads: CachedRead.all, database: database, requestSeries: requestSeries,
                        serverName: serverName)),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
            logger: logger
        )
        // Shut down in reverse order: the HTTP server, then the listener, then the pools.
        application.addServices(pool)
        if let readPool {
            application.addServices(readPool, ReplicaWatch(pool: readPool, router: database.router, logger: logger))
        }
        application.addServices(
            ChangeListener(parameters: configuration.database, cache: cache, router: database.router, logger: logger),
            MemoryTrimmer())
        return application
    }

    /// The `Server` field of every answer.
    static let serverName = "atelier-serve"

    /// The router of the whole API over `database`; errors become `{"error": ...}` answers.
    /// Requests are logged only when asked (`--log-level debug`): it costs throughput.
    public static func makeRouter(database: APIDatabase, logRequests: Bool = false) throws -> Router<
        BasicRequestContext
    > {
        try makeRouter(database: database, requestSeries: RequestSeries(), logRequests: logRequests)
    }

    /// The same, counting requests in `requestSeries` (which `CacheHitResponder` shares).
    static func makeRouter(database: APIDatabase, requestSeries: RequestSeries, logRequests: Bool) throws
        -> Router<BasicRequestContext>
    {
        let router = Router()
        if logRequests { router.add(middleware: LogRequestsMiddleware(.debug)) }
        router.add(middleware: APIMiddleware(series: requestSeries))
        for read in CachedRead.all { router.add(read, database: database) }
        ReviewRoutes(database: database).add(to: router)
        QuestionRoutes(database: database).add(to: router)
        CartRoutes(database: database).add(to: router)
        OperationRoutes(database: database, requestSeries: requestSeries, openAPIDocument: try openAPIDocument())
            .add(to: router)
        requestSeries.complete(router.routes)
        return router
    }

    /// The OpenAPI 3 description of the API, shipped with the module and served as it is.
    public static func openAPIDocument() throws -> ByteBuffer {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw APIError(.internalServerError, "openapi.json is missing from the AtelierAPI bundle")
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }
}
