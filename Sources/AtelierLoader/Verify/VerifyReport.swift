import Foundation
import AtelierPostgres
import AtelierSchema

/// How `verify` shows its checks: a table for a person, or JSON.
public enum VerifyReport {
    public static func table(_ checks: [Verifier.Check]) -> String {
        let width = checks.map(\.name.count).max() ?? 0
        let lines = checks.map { check in
            check.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (check.passed ? "ok  " : "FAIL") + "  " + check.detail
        }
        let failed = checks.filter { !$0.passed }.count
        return (lines + [failed == 0 ? "all \(checks.count) checks passed" : "\(failed) of \(checks.count) checks failed"])
            .joined(separator: "\n") + "\n"
    }

    public static func json(_ checks: [Verifier.Check]) -> String {
        let items = checks.map { check in
            "{\"name\":\(JSONText.string(check.name)),\"ok\":\(check.passed),\"detail\":\(JSONText.string(check.detail))}"
        }
        return "{\"ok\":\(checks.allSatisfy(\.passed)),\"checks\":[" + items.joined(separator: ",") + "]}\n"
    }
}
