#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CLibPQ
import Foundation

/// One blocking libpq connection. The loader is a single stream of work, so a plain
/// synchronous connection is the simplest and fastest fit.
public final class Connection {
    package let handle: OpaquePointer
    private let conninfo: String
    private let defaults: [String: String]
    /// Called with each statement just before it is sent (fault-injection tests use it to end
    /// the backend at a chosen statement).
    public var willSend: ((String) -> Void)?

    /// Opens a connection; `conninfo` is a libpq URI or key=value string ("" reads `PG*`).
    /// Options the string leaves out are taken from `defaults` (see `ConnectionDefaults`).
    public init(_ conninfo: String, defaults: [String: String] = ConnectionDefaults.client) throws(DatabaseError) {
        // The defaults come before `dbname`, whose expanded string then overrides them.
        let keywords = Array(defaults.keys) + ["dbname"]
        let values = keywords.dropLast().map { defaults[$0]! } + [conninfo]
        let connected = withCStrings(keywords.map(Optional.some)) { keys in
            withCStrings(values.map(Optional.some)) { vals in PQconnectdbParams(keys + [nil], vals + [nil], 1) }
        }
        guard let handle = connected else { throw DatabaseError("out of memory") }
        self.handle = handle
        self.conninfo = conninfo
        self.defaults = defaults
        // Once `handle` is set, deinit finishes it, also when this initializer throws.
        guard PQstatus(handle) == CONNECTION_OK else {
            throw DatabaseError("cannot connect: \(Self.trimmedMessage(PQerrorMessage(handle)))")
        }
        try execute("SET client_min_messages = warning")
        if isTCP, !conninfo.contains("tcp_keepalives") { try execute(ConnectionDefaults.serverKeepaliveSQL) }
    }

    deinit { PQfinish(handle) }

    /// A new session opened with the same options, for work alongside this one.
    public func openAnother() throws(DatabaseError) -> Connection {
        try Connection(conninfo, defaults: defaults)
    }

    /// The server process serving this connection.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Whether a transaction is open on this connection (also one a failed statement aborted).
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Rolls back the open transaction, if any; a connection that is gone has none left.
    public func rollBackIfOpen() {
        if inTransaction { try? execute("ROLLBACK") }
    }

    /// Whether the connection runs over TCP (not a Unix socket), where keepalives apply.
    public var isTCP: Bool { PQhost(handle).map { !String(cString: $0).hasPrefix("/") } ?? false }

    /// The value libpq uses for a connection option (`keepalives_idle`, say), or nil when unset.
    public func option(_ keyword: String) -> String? {
        guard let options = PQconninfo(handle) else { return nil }
        defer { PQconninfoFree(options) }
        var option = options
        while let name = option.pointee.keyword {
            if String(cString: name) == keyword { return option.pointee.val.map { String(cString: $0) } }
            option += 1
        }
        return nil
    }

    /// Runs one or more statements that return no rows of interest.
    public func execute(_ sql: String) throws(DatabaseError) {
        willSend?(sql)
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    /// Runs a query with bound text parameters and returns every row as text (nil for NULL).
    public func query(_ sql: String, _ parameters: [String?] = []) throws(DatabaseError) -> [[String?]] {
        willSend?(sql)
        let result = withCStrings(parameters) { pointers in
            PQexecParams(handle, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, sql: sql)
        return (0..<PQntuples(result)).map { row in
            (0..<PQnfields(result)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
    }

    /// The first column of the first row, for scalar queries.
    public func scalar(_ sql: String, _ parameters: [String?] = []) throws(DatabaseError) -> String? {
        try query(sql, parameters).first?.first ?? nil
    }

    // MARK: - Results and errors

    package func check(_ result: OpaquePointer?, sql: String) throws(DatabaseError) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default: throw error(from: result, sql: sql)
        }
    }

    /// Reads results until libpq has none left, throwing the first error.
    package func drainResults(sql: String) throws(DatabaseError) {
        var failure: DatabaseError?
        while let result = PQgetResult(handle) {
            if failure == nil, PQresultStatus(result) != PGRES_COMMAND_OK { failure = error(from: result, sql: sql) }
            PQclear(result)
        }
        if let failure { throw failure }
    }

    package func error(from result: OpaquePointer?, sql: String) -> DatabaseError {
        guard let result else { return lastError(sql: sql) }
        // 'C' and 'M' are libpq's PG_DIAG_SQLSTATE and PG_DIAG_MESSAGE_PRIMARY.
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let message = primary ?? Self.trimmedMessage(PQerrorMessage(handle))
        return DatabaseError(message.isEmpty ? "the connection was lost" : message, sqlState: state)
    }

    package func lastError(sql: String) -> DatabaseError {
        let message = Self.trimmedMessage(PQerrorMessage(handle))
        return DatabaseError(message.isEmpty ? "the connection was lost" : message)
    }

    package static func trimmedMessage(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

private func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { string in string.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
