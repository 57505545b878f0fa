import ArgumentParser
import AtelierAPI
import AtelierCommandLine
import AtelierPostgres
import AtelierStore
import Foundation
import Hummingbird
import Logging
import Prometheus

/// `atelier-serve`: the legacy Atelier API over the database `atelier-etl` loaded.
@main
struct AtelierServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atelier-serve",
        abstract: "Serve the Atelier storefront API (products, reviews, Q&A, cart) from PostgreSQL.",
        discussion: """
            Connection: --database-url, else DATABASE_URL, else the PG* variables, else the
            embedded cluster started by `make db` (\(DatabaseLocation.embedded)).
            SIGTERM or SIGINT stops accepting connections, lets in-flight requests finish, then exits 0.

            Exit codes:
              0  stopped cleanly by SIGTERM or SIGINT
              1  usage error (bad option or connection string)
              2  cannot start (the address is in use, or not allowed: port 80 needs root)
            """,
        version: "atelier-serve \(AtelierVersion.current)"
    )

    @Option(help: "Address to listen on.")
    var host = "0.0.0.0"

    @Option(help: "Port to listen on (80 needs root or CAP_NET_BIND_SERVICE).")
    var port = 3000

    @OptionGroup var database: DatabaseURLOption

    @Option(
        help: """
            A streaming replica (hot standby) of the database for the read routes (default: \
            ATELIER_READ_DATABASE_URL; none: reads from the primary). Writes and the change \
            listener stay on the primary; a client still reads its own writes.
            """)
    var readDatabaseURL: String?

    @Option(help: "Connections the pool keeps open to PostgreSQL (per database URL).")
    var poolSize = 8

    @Option(
        help: """
            Batches of one read route's statement that may run at once; requests beyond them wait \
            and share the next batch, one statement for many (0: each request's statement alone, \
            feedback PUTs too, which otherwise go in groups one at a time).
            """)
    var batchesPerRoute = 2

    @Option(help: "Requests that may wait for a database connection; past it, 503 at once rather than a growing queue.")
    var maxWaiting = 256

    @Option(help: "Seconds an idle HTTP keep-alive connection stays open.")
    var idleTimeout = 60

    @Option(help: "Seconds a request waits for the database before answering 503.")
    var databaseTimeout = 5.0

    @Option(help: "trace, debug, info, notice, warning, error or critical. Requests are not logged below debug.")
    var logLevel: Logger.Level = .info

    @Option(
        help:
            "Megabytes of read answers to keep in memory (0: no cache). Kept correct after any write through PostgreSQL change notifications."
    )
    var cacheSize = 256

    @Flag(help: "Print the SQL each read route runs (one JSON object per line) and exit.")
    var printSQL = false

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
        guard (1...1000).contains(poolSize) else { throw ValidationError("--pool-size must be from 1 to 1000") }
        guard (0...1000).contains(batchesPerRoute) else {
            throw ValidationError("--batches-per-route must be from 0 to 1000")
        }
        guard databaseTimeout > 0 else { throw ValidationError("--database-timeout must be positive") }
        guard (0...100_000).contains(maxWaiting) else {
            throw ValidationError("--max-waiting must be from 0 to 100000")
        }
        guard (1...86_400).contains(idleTimeout) else {
            throw ValidationError("--idle-timeout must be from 1 to 86400 seconds")
        }
        guard (0...65536).contains(cacheSize) else {
            throw ValidationError("--cache-size must be from 0 to 65536 (megabytes)")
        }
    }

    func run() async throws {
        if printSQL {
            print(RouteSQL.jsonLines, terminator: "")
            return
        }
        let parameters: ConnectionParameters
        do {
            parameters = try ConnectionParameters(connectionString: database.connectionString)
        } catch {
            throw ValidationError("\(error)")
        }
        let readParameters: ConnectionParameters?
        do {
            readParameters = try (readDatabaseURL ?? ProcessInfo.processInfo.environment["ATELIER_READ_DATABASE_URL"])
                .map { try ConnectionParameters(connectionString: $0) }
        } catch {
            throw ValidationError("--read-database-url: \(error)")
        }
        let configuration = ServerConfiguration(
            host: host, port: port, database: parameters, readDatabase: readParameters, poolSize: poolSize,
            maximumWaiting: maxWaiting, batchesPerRoute: batchesPerRoute,
            idleTimeout: .seconds(idleTimeout), databaseDeadline: .milliseconds(Int(databaseTimeout * 1000)),
            logLevel: logLevel, cacheCapacity: cacheSize << 20
        )
        try await AtelierServer.makeApplication(
            configuration, metrics: ServerMetrics(registry: PrometheusCollectorRegistry())
        )
        .runService()
    }

    /// Runs the server with the documented exit codes (ArgumentParser's own usage code is 64).
    static func main() async {
        MemoryTrimmer.limitArenas()
        let command = CommandLineMain.parseCommand(Self.self)
        do {
            try await command.run()
        } catch let error as ValidationError {
            CommandLineMain.printError("atelier-serve: \(error)")
            Foundation.exit(ExitStatus.usage)
        } catch {
            CommandLineMain.printError("atelier-serve: cannot start: \(error)")
            Foundation.exit(ExitStatus.cannotStart)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
