import AtelierPostgres
import AtelierSchema
import PostgresNIO

/// The same connection settings for the pool and for the standalone connections (the change
/// listener's, the pool supervisor's probe): where to connect, TLS as `sslmode` says (off on
/// loopback unless required), a 3 s connect timeout, `statement_timeout` set to the request
/// deadline so that a statement stuck behind a lock ends on the server too, and generic plans
/// for prepared statements (`plan_cache_mode`).
extension ConnectionParameters {
    /// Throws when TLS is wanted and no TLS context can be made: a required TLS never falls back
    /// to plain text.
    package func connectionConfiguration(deadline: Duration, applicationName: String) throws
        -> PostgresConnection.Configuration
    {
        var configuration =
            if let socket = unixSocketPath {
                PostgresConnection.Configuration(
                    unixSocketPath: socket, username: user, password: password, database: database)
            } else {
                PostgresConnection.Configuration(
                    host: host, port: port, username: user, password: password,
                    database: database,
                    tls: try tls(
                        disable: .disable, prefer: { (try? .prefer(.init(configuration: $0))) ?? .disable },
                        require: { try .require(.init(configuration: $0)) }))
            }
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.additionalStartupParameters = startupParameters(
            deadline: deadline, applicationName: applicationName)
        return configuration
    }

    /// The pool keeps all `poolSize` connections open and runs no keep-alive (`TimerFreePoolOptions`).
    package func clientConfiguration(poolSize: Int, deadline: Duration) -> PostgresClient.Configuration {
        var configuration =
            if let socket = unixSocketPath {
                PostgresClient.Configuration(
                    unixSocketPath: socket, username: user, password: password, database: database)
            } else {
                PostgresClient.Configuration(
                    host: host, port: port, username: user, password: password,
                    database: database, tls: tls(disable: .disable, prefer: { .prefer($0) }, require: { .require($0) }))
            }
        TimerFreePoolOptions.apply(to: &configuration.options, poolSize: poolSize)
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.additionalStartupParameters = startupParameters(
            deadline: deadline, applicationName: "atelier-serve")
        return configuration
    }

    /// `plan_cache_mode`: PostgreSQL plans a prepared statement afresh on each run while a plan
    /// for its actual values looks cheaper than the generic one, which it always does for a
    /// batch (`BatchStatement`), whose arrays' lengths the planner then knows: planning would
    /// cost more than running it. Every statement of the API is an index lookup by key, for
    /// which the generic plan is the same plan.
    private func startupParameters(deadline: Duration, applicationName: String) -> [(String, String)] {
        let milliseconds = deadline.components.seconds * 1000 + deadline.components.attoseconds / 1_000_000_000_000_000
        return [
            ("statement_timeout", String(max(1, milliseconds))), ("application_name", applicationName),
            ("plan_cache_mode", "force_generic_plan"),
        ]
    }

    private var wantsTLS: Bool? {
        switch sslMode {
        case "disable", "allow": false
        case "require", "verify-ca", "verify-full": true
        default:
            unixSocketPath == nil && !(host == "localhost" || host == "::1" || host.hasPrefix("127.")) ? nil : false
        }
    }

    /// `sslmode`'s choice in the TLS type of `PostgresClient` or of `PostgresConnection`.
    private func tls<TLS>(
        disable: TLS, prefer: (TLSConfiguration) throws -> TLS, require: (TLSConfiguration) throws -> TLS
    ) rethrows -> TLS {
        switch wantsTLS {
        case false?: disable
        case true?: try require(.makeClientConfiguration())
        case nil: try prefer(.makeClientConfiguration())
        }
    }
}
