import CLibPQ

/// A libpq connection string taken apart by libpq itself, so that a client other than libpq
/// (the server's connection pool) connects exactly where `atelier-etl` would: URI and
/// key=value forms alike, with unset options filled from the `PG*` variables and libpq's
/// defaults.
public struct ConnectionParameters: Sendable, Equatable {
    /// A host name or address, or a Unix-socket directory when it starts with `/`.
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// libpq's `sslmode`: disable, allow, prefer, require, verify-ca or verify-full.
    public var sslMode: String

    public init(host: String, port: Int, user: String, password: String?, database: String, sslMode: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// Parses `connectionString` ("" means: defaults and `PG*` variables only).
    public init(connectionString: String) throws(DatabaseError) {
        var given: [String: String] = [:]
        if !connectionString.isEmpty {
            var message: UnsafeMutablePointer<CChar>?
            guard let options = PQconninfoParse(connectionString, &message) else {
                let detail = message.map { Connection.trimmedMessage($0) } ?? "out of memory"
                PQfreemem(message)
                throw DatabaseError("invalid connection string: \(detail)")
            }
            given = Self.values(options)
            PQconninfoFree(options)
        }
        guard let defaultOptions = PQconndefaults() else { throw DatabaseError("out of memory") }
        let defaults = Self.values(defaultOptions)
        PQconninfoFree(defaultOptions)
        func value(_ key: String) -> String? {
            let value = given[key] ?? defaults[key]
            return value?.isEmpty == false ? value : nil
        }
        let user = value("user") ?? "postgres"
        guard let port = Int(value("port") ?? "5432"), (1...65535).contains(port) else {
            throw DatabaseError("invalid port in connection string: \(value("port") ?? "")")
        }
        self.init(
            host: value("hostaddr") ?? value("host") ?? "/var/run/postgresql", port: port, user: user,
            password: value("password"), database: value("dbname") ?? user, sslMode: value("sslmode") ?? "prefer")
    }

    /// The Unix-socket path libpq would use, when `host` is a directory.
    public var unixSocketPath: String? {
        host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil
    }

    private static func values(_ options: UnsafeMutablePointer<PQconninfoOption>) -> [String: String] {
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { result[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return result
    }
}
