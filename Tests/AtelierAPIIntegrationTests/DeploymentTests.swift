#if canImport(Glibc)
    import Glibc
#endif
import AtelierTestSupport
import Foundation
import Testing

/// deploy/ as operators use it: the systemd units pass `systemd-analyze verify`, the server
/// binds port 80 as an unprivileged user holding only CAP_NET_BIND_SERVICE, and every alert
/// rule fires on series shaped as a running server writes them, and only then.
@Suite struct DeploymentTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL.path
    static let units = ["atelier-serve.service", "atelier-load.service", "atelier-load.timer"]

    @Test func theSystemdUnitsVerify() async throws {
        #expect(try await Self.verify(units: [:]) == "")
        // A unit systemd would refuse fails the check: it can fail.
        let broken = try String(
            contentsOfFile: "\(Self.repository)/deploy/systemd/atelier-serve.service", encoding: .utf8
        )
        .replacingOccurrences(of: "Restart=on-failure", with: "Restart=sometimes")
        #expect(try await Self.verify(units: ["atelier-serve.service": broken]).contains("sometimes"))
    }

    /// The output of `systemd-analyze verify` on the units, `replaced` ones' texts swapped in,
    /// installed in a root of their own where the built programs stand at their ExecStart paths.
    static func verify(units replaced: [String: String]) async throws -> String {
        let root = try Repository.temporaryDirectory()
        let programs = try Executables.path("ATELIER_SERVE"), etl = try Executables.path("ATELIER_ETL")
        let files = FileManager.default
        for directory in ["usr/local/bin", "etc/systemd/system", "usr/lib/systemd"] {
            try files.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        try files.copyItem(atPath: programs, toPath: "\(root)/usr/local/bin/atelier-serve")
        try files.copyItem(atPath: etl, toPath: "\(root)/usr/local/bin/atelier-etl")
        // The system's own units (sysinit.target and the rest a service is ordered after).
        try files.copyItem(atPath: "/usr/lib/systemd/system", toPath: "\(root)/usr/lib/systemd/system")
        for unit in units {
            let text =
                try replaced[unit] ?? String(contentsOfFile: "\(repository)/deploy/systemd/\(unit)", encoding: .utf8)
            try text.write(toFile: "\(root)/etc/systemd/system/\(unit)", atomically: true, encoding: .utf8)
        }
        let run = try await blocking {
            try runCommand(
                ["/usr/bin/systemd-analyze", "verify", "--root=\(root)"]
                    + units.map { "\(root)/etc/systemd/system/\($0)" })
        }
        try? files.removeItem(atPath: root)
        return (run.status == 0 ? "" : "exit \(run.status)\n") + run.stdout + run.stderr
    }

    /// `atelier-serve --port 80` as `nobody` with CAP_NET_BIND_SERVICE alone serves; without
    /// it, it exits 2 saying why.
    @Test func port80NeedsOnlyTheBindCapability() async throws {
        let database = try await Samples.copy()
        let asNobody = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--no-new-privs"]
        let refused = try await blocking {
            try runCommand(
                asNobody + ["--inh-caps=-all", "--bounding-set=-all", try Executables.path("ATELIER_SERVE")]
                    + ["--host", "127.0.0.1", "--port", "80", "--database-url", database.apiURL], timeout: 30)
        }
        #expect(refused.status == 2, "\(refused.stderr)")
        let capability = ["--inh-caps=-all,+net_bind_service", "--ambient-caps=-all,+net_bind_service"]
        let server = try ServerProcess(
            arguments: ["--database-url", database.apiURL], launcher: asNobody + capability, port: 80)
        try await server.waitUntilHealthy()
        #expect(try await server.request("GET", "/products/1") == 200)
        let status = try String(contentsOfFile: "/proc/\(server.processIdentifier)/status", encoding: .utf8)
        let line = { (key: String) in status.split(separator: "\n").first { $0.hasPrefix(key) }.map(String.init) ?? "" }
        #expect(line("Uid:").split(separator: "\t").dropFirst().allSatisfy { $0 == "65534" }, "\(line("Uid:"))")
        // CAP_NET_BIND_SERVICE is bit 10: nothing else effective.
        #expect(line("CapEff:").hasSuffix("0000000000000400"), "\(line("CapEff:"))")
        server.signal(SIGTERM)
        #expect(await server.waitForExit() == 0)
    }

    @Test func everyAlertFiresOnTheServersOwnSeriesAndOnlyThen() async throws {
        let database = try await Samples.copy()
        let server = try ServerProcess(arguments: ["--database-url", database.apiURL, "--cache-size", "16"])
        try await server.waitUntilHealthy()
        _ = try await server.request("GET", "/products/1")
        _ = try await server.request("GET", "/products/0")
        let scrape = String(decoding: try await server.send("GET", "/metrics").body, as: UTF8.self)
        let rules = "\(Self.repository)/deploy/prometheus/atelier-alerts.yml"
        let tests = try AlertRuleTests(scrape: scrape, rules: try String(contentsOfFile: rules, encoding: .utf8))
            .document(ruleFile: rules)
        let file = try Repository.temporaryDirectory() + "/atelier-alerts-test.yml"
        try tests.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try await blocking { try runCommand(["/usr/bin/promtool", "check", "rules", rules]) }
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let run = try await blocking { try runCommand(["/usr/bin/promtool", "test", "rules", file]) }
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)\n\(tests)")
    }
}
