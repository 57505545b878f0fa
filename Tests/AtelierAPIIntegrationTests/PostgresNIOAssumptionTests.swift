@testable import AtelierStore
import AtelierPostgres
import AtelierTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// What the store relies on in postgres-nio without its promise, one test per behaviour behind
/// `Connections/Workarounds/`: after an upgrade, a failure here names the workaround to revisit.
@Suite(.serialized) struct PostgresNIOAssumptionTests {
    static let logger = {
        var logger = Logger(label: "postgres-nio-assumptions")
        logger.logLevel = .critical
        return logger
    }()

    static func client(_ database: TestDatabase, poolSize: Int = 1, port: Int? = nil) throws -> ReplaceableClient {
        var parameters = try ConnectionParameters(connectionString: database.url)
        if let port { parameters.port = port }
        let client = ReplaceableClient(
            configuration: parameters.clientConfiguration(poolSize: poolSize, deadline: .seconds(60)), logger: logger)
        client.start()
        return client
    }

    /// `LeaseBreaker`: closing a leased connection from another task ends its statement with an
    /// error, and the pool then serves from a fresh connection.
    @Test func closingALeasedConnectionEndsItsStatementAndThePoolRecovers() async throws {
        let database = try TestDatabase.create()
        let pool = try Self.client(database)
        #expect(try await Self.answers(pool), "the client did not connect")
        let lease = LeaseBreaker()
        let stuck = Task {
            try await pool.client.withConnection { connection in
                try await lease.hold(connection) { connection in
                    _ = try await connection.query("SELECT pg_sleep(60)", logger: Self.logger).collect()
                }
            }
        }
        #expect(
            await eventually {
                (try? database.value(
                    "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND datname = current_database()"
                )) == "1"
            })
        lease.breakLease()
        let ended = try await firstWithin(10) { await stuck.result }
        #expect(ended != nil, "the statement outlived its closed connection")
        if case .success? = ended { Issue.record("the statement succeeded on a closed connection") }
        // The next lease may still be handed the closing connection and fail; then a fresh one.
        #expect(try await Self.answers(pool), "the pool of one did not replace its closed connection")
        pool.end()
        await pool.ended()
    }

    /// `ReplaceableClient`: a lease on a client that cannot connect waits instead of failing, a
    /// fresh client connects at once, and ending a client closes its connections.
    @Test func aClientThatCannotConnectWaitsAndAnEndedOneClosesItsConnections() async throws {
        let database = try TestDatabase.create()
        let unreachable = try Self.client(database, port: 1)
        let waited = try await firstWithin(3) {
            try await unreachable.client.withConnection { _ in true }
        }
        #expect(waited == nil, "a lease failed or succeeded instead of waiting for a connection")
        unreachable.end()
        #expect(try await firstWithin(10) { await unreachable.ended() } != nil)

        let fresh = try Self.client(database, poolSize: 2)
        #expect(try await Self.answers(fresh), "a fresh client did not connect")
        let sessions =
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'atelier-serve' AND datname = current_database()"
        #expect(await eventually { (try? database.value(sessions)) == "2" })
        fresh.end()
        #expect(try await firstWithin(10) { await fresh.ended() } != nil, "an ended client's run did not return")
        #expect(await eventually { (try? database.value(sessions)) == "0" })
    }

    /// `TimerFreePoolOptions`: releases under the pool's options leave memory flat; under
    /// postgres-nio's defaults each release leaves timers behind, which is why the options exist.
    @Test func releasesLeaveNoTimersBehindOnlyUnderThePoolsOptions() async throws {
        let database = try TestDatabase.create()
        let parameters = try ConnectionParameters(connectionString: database.url)
        var defaults = parameters.clientConfiguration(poolSize: 2, deadline: .seconds(60))
        defaults.options = PostgresClient.Configuration.Options()
        defaults.options.additionalStartupParameters = [("application_name", "atelier-serve")]
        let quiet = parameters.clientConfiguration(poolSize: 2, deadline: .seconds(60))
        let quietGrowth = try await Self.memoryGrowth(releasing: 40_000, configuration: quiet)
        let defaultGrowth = try await Self.memoryGrowth(releasing: 40_000, configuration: defaults)
        // Tests running beside this one move the process's memory by tens of megabytes either
        // way, so the releases are many enough that the defaults' timers hold several times the
        // margin alone and still well over it beside the whole suite.
        #expect(quietGrowth < 32 << 20, "releases under the pool's options hold memory")
        #expect(defaultGrowth > quietGrowth + (64 << 20), "the default options no longer leave timers behind")
    }

    /// Whether `SELECT 1` through `client` succeeds within 10 s, trying again after a failure.
    static func answers(_ client: ReplaceableClient) async throws -> Bool {
        try await firstWithin(10) {
            while true {
                let count = try? await client.client.withConnection {
                    try await $0.query("SELECT 1", logger: logger).collect().count
                }
                if count == 1 { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
        } ?? false
    }

    /// Resident memory after `count` leases released unused, less before.
    static func memoryGrowth(releasing count: Int, configuration: PostgresClient.Configuration) async throws -> Int {
        let client = ReplaceableClient(configuration: configuration, logger: logger)
        client.start()
        _ = try await client.client.withConnection { _ in 0 }
        let before = ServerMetrics.residentBytes()
        for _ in 0..<count { _ = try await client.client.withConnection { _ in 0 } }
        let growth = ServerMetrics.residentBytes() - before
        client.end()
        await client.ended()
        return growth
    }
}
