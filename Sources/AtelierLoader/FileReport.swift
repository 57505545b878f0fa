import AtelierCatalog
import Foundation

/// What one file's load did: the numbers of the summary table, the JSON report and the
/// load history.
public struct FileReport: Sendable, Equatable {
    public var file: String
    public var table: TableName
    public var rowsRead = 0
    public var rowsLoaded = 0
    public var rowsRepaired = 0
    public var rejected: [RejectReason: Int] = [:]
    public var seconds = 0.0
    /// Rows in the table once the run is visible.
    public var tableRows = 0
    /// Where the staging of the file spent its time.
    public var times = StageTimes()

    public init(file: String, table: TableName) {
        self.file = file
        self.table = table
    }

    public var rowsRejected: Int { rejected.values.reduce(0, +) }

    /// The counts by reason as a JSON object with every reason of the contract.
    public var rejectedJSON: String {
        JSONDocument.encode(JSONDocument.counts(rejected)).trimmingCharacters(in: .newlines)
    }

    /// One file of the report, with the keys scripts read.
    struct Entry: Encodable {
        let file: String
        let table: String
        let rowsRead: Int
        let rowsLoaded: Int
        let rowsRepaired: Int
        let rejected: [String: Int]
        let seconds: Double
        let times: StageTimes.Entry

        init(_ report: FileReport) {
            file = report.file
            table = report.table.rawValue
            rowsRead = report.rowsRead
            rowsLoaded = report.rowsLoaded
            rowsRepaired = report.rowsRepaired
            rejected = JSONDocument.counts(report.rejected)
            seconds = (report.seconds * 1000).rounded() / 1000
            times = StageTimes.Entry(report.times)
        }

        enum CodingKeys: String, CodingKey {
            case file, table, rejected, seconds, times
            case rowsRead = "rows_read", rowsLoaded = "rows_loaded", rowsRepaired = "rows_repaired"
        }
    }
}
