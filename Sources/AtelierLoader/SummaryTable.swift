import Foundation

/// The end-of-load summary for a person: one line per file.
public enum SummaryTable {
    public static func render(_ reports: [FileReport]) -> String {
        let header = ["file", "read", "loaded", "repaired", "rejected", "seconds", "rejected by reason"]
        var rows = reports.map { report in
            [
                report.file, "\(report.rowsRead)", "\(report.rowsLoaded)", "\(report.rowsRepaired)",
                "\(report.rowsRejected)", String(format: "%.2f", report.seconds),
                report.rejected.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }
                    .joined(separator: " "),
            ]
        }
        let totals = reports.reduce(into: (read: 0, loaded: 0, repaired: 0, rejected: 0, seconds: 0.0)) {
            $0.read += $1.rowsRead; $0.loaded += $1.rowsLoaded; $0.repaired += $1.rowsRepaired
            $0.rejected += $1.rowsRejected; $0.seconds += $1.seconds
        }
        if reports.count > 1 {
            rows.append([
                "total", "\(totals.read)", "\(totals.loaded)", "\(totals.repaired)", "\(totals.rejected)",
                String(format: "%.2f", totals.seconds), "",
            ])
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == 0 || index == cells.count - 1
                    ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
