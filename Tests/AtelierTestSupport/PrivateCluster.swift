#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// A PostgreSQL cluster of a test's own (the shared one serves every other test), holding the
/// loaded samples, that the test may stop, start, freeze and thaw. Give it a port below Linux's
/// ephemeral range (32768 up): while it is stopped, a client connection could take a port in
/// that range as its own, and the restart would fail to bind.
public final class PrivateCluster: Sendable {
    public let port: Int
    public let directory: String

    /// Starts a fresh throwaway cluster on `port` and loads the samples into its `atelier` database.
    public init(port: Int) throws {
        self.port = port
        directory = Repository.root + "/.atelier/fault-pg-\(port)"
        try Self.script(["start", directory, String(port), "--throwaway"])
        let load = try Executables.startETL([
            "load", Repository.samples, "--database-url", url,
            "--reject-dir", try Repository.temporaryDirectory(),
        ])
        load.waitUntilExit()
        guard load.terminationStatus == 0 else { throw TestDatabase.Missing(description: "loading the samples failed") }
    }

    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/atelier" }
    public var apiURL: String { "postgresql://atelier_api@127.0.0.1:\(port)/atelier" }

    /// Stops the server (fast shutdown: sessions are ended).
    public func stop() throws { try Self.script(["stop", directory]) }

    /// Starts it again; returns once it accepts connections.
    public func start() throws { try Self.script(["start", directory, String(port)]) }

    /// Makes this cluster a replication primary and starts a hot standby of it on `port`
    /// (`pg-cluster.sh standby`, made afresh by pg_basebackup); returns the standby's URLs.
    public func startStandby(port standbyPort: Int) throws -> (url: String, apiURL: String) {
        try Self.script(["primary", directory, String(port)])
        try Self.script([
            "standby", Repository.root + "/.atelier/fault-pg-\(standbyPort)", String(standbyPort), String(port),
        ])
        return (
            "postgresql://postgres@127.0.0.1:\(standbyPort)/atelier",
            "postgresql://atelier_api@127.0.0.1:\(standbyPort)/atelier"
        )
    }

    /// Stops (SIGSTOP) the postmaster and every backend: connections stay open, nothing answers.
    public func freeze() throws {
        let postmaster = try postmasterPID()
        try Self.run("/usr/bin/pkill", ["-STOP", "-P", postmaster])
        try Self.run("/bin/kill", ["-STOP", postmaster])
    }

    public func thaw() throws {
        let postmaster = try postmasterPID()
        try Self.run("/bin/kill", ["-CONT", postmaster])
        try Self.run("/usr/bin/pkill", ["-CONT", "-P", postmaster])
    }

    /// The sockets of this process that the cluster's server holds open too (none, unless it
    /// inherited them): a connection this process closes stays a live session while another
    /// process holds its socket.
    public func socketsSharedWithThisProcess() throws -> Set<String> {
        try Self.sockets(of: "self").intersection(Self.sockets(of: postmasterPID()))
    }

    private static func sockets(of process: String) throws -> Set<String> {
        let folder = "/proc/\(process)/fd"
        let targets = try FileManager.default.contentsOfDirectory(atPath: folder).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + $0)
        }
        return Set(targets.filter { $0.hasPrefix("socket:") })
    }

    private func postmasterPID() throws -> String {
        let text = try String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8)
        guard let pid = text.split(separator: "\n").first else {
            throw TestDatabase.Missing(description: "no postmaster.pid")
        }
        return String(pid)
    }

    deinit { try? Self.script(["stop", directory]) }

    private static func script(_ arguments: [String]) throws {
        try run(Repository.root + "/scripts/pg-cluster.sh", arguments)
    }

    /// Runs a command to its end with its standard streams on /dev/null (`pg-cluster.sh` closes
    /// the other descriptors it inherits before it starts a server that outlives it).
    private static func run(_ executable: String, _ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
            throw TestDatabase.Missing(description: "cannot run \(executable)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let exitCode = (status >> 8) & 0xFF
        guard exitCode == 0 || executable.hasSuffix("pkill") else {
            throw TestDatabase.Missing(
                description: "\(executable) \(arguments.joined(separator: " ")) failed (\(exitCode))")
        }
    }
}
