import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import AtelierLoader
import Foundation

/// A fresh database on the throwaway cluster that `make test` starts. Tests fail, loudly,
/// when that cluster is not there: nothing is skipped.
public struct TestDatabase: Sendable {
    public let name: String
    public let url: String

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Creates an empty database with a unique name (a copy of `template` when given).
    public static func create(template: TestDatabase? = nil) throws -> TestDatabase {
        guard let base = ProcessInfo.processInfo.environment["ATELIER_TEST_DATABASE_URL"],
            let slash = base.range(of: "/", options: .backwards), base.hasPrefix("postgresql://")
        else {
            throw Missing(
                description:
                    "ATELIER_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a throwaway PostgreSQL"
            )
        }
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try Connection(base).execute("CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0.name)" } ?? ""))
        return TestDatabase(name: name, url: String(base[..<slash.lowerBound]) + "/" + name)
    }

    /// A fresh database holding the loaded samples.
    public static func withSamples() throws -> TestDatabase {
        let database = try create()
        _ = try database.load(Repository.samples)
        return database
    }

    /// The same database as the API's least-privilege role (`Schema.apiRole`), as `make run` serves.
    public var apiURL: String {
        url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(Schema.apiRole)@")
    }

    /// A connection named `atelier-tests`, so that it is told apart from the loader's own.
    public func connect() throws -> Connection {
        try Connection(url, defaults: ConnectionDefaults.client.merging(["application_name": "atelier-tests"]) { $1 })
    }

    /// Loads `paths` in plan order as one run, as `atelier-etl load` does, and returns the
    /// files' reports; the run's failure is thrown.
    public func load(_ paths: String..., options: LoadOptions = LoadOptions(), rejectDirectory: String? = nil) throws
        -> [FileReport]
    {
        try run(paths, options: options, rejectDirectory: rejectDirectory).files
    }

    /// The whole run report of loading `paths`; the run's failure is thrown.
    public func run(_ paths: [String], options: LoadOptions = LoadOptions(), rejectDirectory: String? = nil) throws
        -> RunReport
    {
        var options = options
        options.rejectDirectory = try rejectDirectory ?? Repository.temporaryDirectory()
        let report = RunLoader(connection: try connect(), options: options).load(
            files: try LoadPlan.files(for: paths).files)
        if let failure = report.failure { throw failure }
        return report
    }

    public func count(_ table: String) throws -> Int {
        Int(try connect().scalar("SELECT count(*) FROM \(Schema.quoted(table))") ?? "") ?? -1
    }

    public func rows(_ sql: String) throws -> [[String?]] { try connect().query(sql) }

    public func value(_ sql: String) throws -> String? { try connect().scalar(sql) }

    /// Returns once a `LOCK TABLE` statement in this database waits for a lock: a run's switch
    /// asking for the live tables. Waits in other tests' databases do not count.
    public func waitForALockTableWait() throws {
        let waiting = """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE%'
            """
        let connection = try connect()
        while try connection.scalar(waiting) != "1" { Thread.sleep(forTimeInterval: 0.01) }
    }
}

/// The built executables, whose paths `make test` passes in.
public enum Executables {
    public static func path(_ variable: String) throws -> String {
        guard let path = ProcessInfo.processInfo.environment[variable] else {
            throw TestDatabase.Missing(description: "\(variable) is not set: run the tests with `make test`")
        }
        return path
    }

    /// `atelier-etl` started with `arguments`; the caller waits for it (or kills it).
    public static func startETL(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path("ATELIER_ETL"))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

extension TestDatabase {
    /// Waits until no session of `application` is connected to this database any more (a
    /// killed client's backend ends once it notices), for at most `seconds`.
    public func waitForSessionsToEnd(of application: String = "atelier-etl", seconds: Double = 30) throws {
        let deadline = Date().addingTimeInterval(seconds)
        let monitor = try connect()
        while Date() < deadline {
            let count = try monitor.scalar(
                """
                SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid()
                """, [name, application])
            if count == "0" { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let lingering = try monitor.query(
            """
            SELECT pid, state, backend_start::text, coalesce(state_change::text, ''), left(query, 80)
            FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid()
            """, [name, application])
        throw Missing(
            description:
                "sessions of \(application) on \(name) did not end within \(seconds) s (at \(Date())): \(lingering)")
    }
}

extension TestDatabase {
    /// Makes sure no session of `application` is left on this database (so it can be a
    /// template): waits `seconds` for them to end, then ends those left, saying so on stderr
    /// with what they were doing.
    public func endSessions(of application: String, after seconds: Double = 10) throws {
        do {
            try waitForSessionsToEnd(of: application, seconds: seconds)
        } catch let missing as Missing {
            FileHandle.standardError.write(Data("note: ending lingering sessions: \(missing.description)\n".utf8))
            _ = try connect().query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
                [name, application])
            try waitForSessionsToEnd(of: application, seconds: seconds)
        }
    }
}

/// Paths inside the repository and scratch folders for tests.
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    public static let samples = root + "/data-samples"
    public static let olderSamples = root + "/data-samples/older"

    public static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-tests-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `files` (name → text) into a new folder and returns it.
    public static func folder(_ files: [String: String]) throws -> String {
        let path = try temporaryDirectory()
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name)) }
        return path
    }
}

extension TestDatabase {
    /// What a reader of the live catalogue can tell apart, per table: its rows and its id
    /// sequence. Equal digests mean the same rows and the same sequences.
    public func catalogueDigest() throws -> [String: TableDigest] {
        let connection = try connect()
        var digest: [String: TableDigest] = [:]
        for table in Catalog.tables {
            let row = try connection.query(
                """
                SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), 'empty'), (\(Schema.sequenceLastValue(table)))
                FROM \(Schema.quoted(table.name)) t
                """
            ).first
            digest[table.name] = TableDigest(rows: row?[0] ?? "", sequence: Int64(row?[1] ?? "") ?? -1)
        }
        return digest
    }

    /// The tables a run left in the staging and retired schemas.
    public func runLeftovers() throws -> Int {
        Int(
            try value(
                "SELECT count(*) FROM pg_tables WHERE schemaname IN ('\(Schema.Namespace.staging.name ?? "")', '\(Schema.Namespace.retired.name ?? "")')"
            ) ?? "") ?? -1
    }
}

/// One table's rows (as an md5 of them in id order) and its sequence's last value.
public struct TableDigest: Equatable, Sendable, CustomStringConvertible {
    public let rows: String
    public let sequence: Int64

    public var description: String { "rows \(rows), sequence \(sequence)" }
}

extension [String: TableDigest] {
    /// The rows alone, to compare catalogues whose sequences may differ (a reload keeps ids
    /// the API handed out; a fresh load has none).
    public var rows: [String: String] { mapValues(\.rows) }
}
