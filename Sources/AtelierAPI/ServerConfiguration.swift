import AtelierStore
import AtelierPostgres
import AtelierSchema
import Logging

/// How `atelier-serve` runs: where it listens, which database it serves and how hard it may
/// lean on it.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: ConnectionParameters
    /// A streaming replica (hot standby) of `database` for the read routes; nil reads from the primary.
    public var readDatabase: ConnectionParameters?
    /// Connections each pool keeps open to PostgreSQL (`clientConfiguration`).
    public var poolSize: Int
    /// Requests that may wait for a connection; past it, 503 at once.
    public var maximumWaiting: Int
    /// Batches of one read route's statement that may run at once (`StatementBatcher`); 0: none,
    /// and no groups of feedback PUTs either.
    public var batchesPerRoute: Int
    /// How long an HTTP keep-alive connection may stay idle before the server closes it.
    public var idleTimeout: Duration
    /// How long a request waits for the database before it is answered with a 503.
    public var databaseDeadline: Duration
    public var logLevel: Logger.Level
    /// Bytes the response cache may hold; 0 turns it off.
    public var cacheCapacity: Int

    public init(
        host: String = "0.0.0.0", port: Int = 3000, database: ConnectionParameters,
        readDatabase: ConnectionParameters? = nil, poolSize: Int = 8,
        maximumWaiting: Int = 256, batchesPerRoute: Int = 2, idleTimeout: Duration = .seconds(60),
        databaseDeadline: Duration = .seconds(5),
        logLevel: Logger.Level = .info, cacheCapacity: Int = 256 << 20
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.readDatabase = readDatabase
        self.poolSize = poolSize
        self.maximumWaiting = maximumWaiting
        self.batchesPerRoute = batchesPerRoute
        self.idleTimeout = idleTimeout
        self.databaseDeadline = databaseDeadline
        self.logLevel = logLevel
        self.cacheCapacity = cacheCapacity
    }
}
