import AtelierCatalog
import Foundation

/// How `verify` shows its checks: a table for a person, or JSON.
public enum VerifyReport {
    public static func table(_ checks: [Verifier.Check]) -> String {
        let width = checks.map(\.name.count).max() ?? 0
        let lines = checks.map { check in
            check.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (check.passed ? "ok  " : "FAIL")
                + "  " + check.detail
        }
        let failed = checks.filter { !$0.passed }.count
        return
            (lines + [failed == 0 ? "all \(checks.count) checks passed" : "\(failed) of \(checks.count) checks failed"])
            .joined(separator: "\n") + "\n"
    }

    /// `{"checks":[{"detail":…,"name":…,"ok":…}],"ok":…}`.
    public static func json(_ checks: [Verifier.Check]) -> String {
        JSONDocument.encode(
            Document(
                checks: checks.map { Item(name: $0.name, ok: $0.passed, detail: $0.detail) },
                ok: checks.allSatisfy(\.passed)))
    }

    struct Document: Encodable {
        let checks: [Item]
        let ok: Bool
    }

    struct Item: Encodable {
        let name: String
        let ok: Bool
        let detail: String
    }
}
