import AtelierCatalog
import Foundation

/// What one file's load did: the numbers of the summary table, the JSON report and the
/// load history.
public struct FileReport: Sendable, Equatable {
    public var file: String
    public var table: String
    public var rowsRead = 0
    public var rowsLoaded = 0
    public var rowsRepaired = 0
    public var rejected: [RejectReason: Int] = [:]
    public var seconds = 0.0
    /// Rows in the table once the load committed.
    public var tableRows = 0
    /// Tables that `--cascade` emptied because this load would have orphaned their rows.
    public var emptiedTables: [String] = []

    public init(file: String, table: String) {
        self.file = file
        self.table = table
    }

    public var rowsRejected: Int { rejected.values.reduce(0, +) }

    /// The counts by reason as a JSON object with every reason of the contract, in its order.
    public var rejectedJSON: String {
        "{" + RejectReason.allCases.map { "\"\($0.rawValue)\":\(rejected[$0, default: 0])" }.joined(separator: ",") + "}"
    }

    public var json: String {
        "{\"file\":\(JSONText.string(file)),\"table\":\(JSONText.string(table)),\"rows_read\":\(rowsRead),"
            + "\"rows_loaded\":\(rowsLoaded),\"rows_repaired\":\(rowsRepaired),\"rejected\":\(rejectedJSON),"
            + "\"seconds\":\(JSONText.number(seconds))}"
    }

    /// The `--report` document: `{"files":[…]}`.
    public static func json(_ reports: [FileReport]) -> String {
        "{\"files\":[" + reports.map(\.json).joined(separator: ",") + "]}\n"
    }
}

/// Minimal JSON text for the report, so the key order is exactly the documented one.
enum JSONText {
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func number(_ value: Double) -> String {
        String(format: "%.3f", value)
    }
}
