import AtelierCatalog

/// What the generator wrote into one file, and what a correct load of it must report.
public struct GeneratedFile: Sendable, Equatable {
    public var file: String
    public var table: String
    /// Records written (a duplicated row counts twice), the loader's "rows read".
    public var rows = 0
    public var bytes = 0
    public var planted: [PlantedDefect: Int] = [:]
    /// Rows the loader must load, repair and reject (by reason), given every planted defect
    /// and the parent rows those defects keep out.
    public var expectedLoaded = 0
    public var expectedRepaired = 0
    public var expectedRejected: [RejectReason: Int] = [:]

    public init(file: String, table: String) {
        self.file = file
        self.table = table
    }

    /// One object of `generated.json`.
    struct Entry: Encodable {
        struct Expected: Encodable {
            let loaded: Int
            let repaired: Int
            let rejected: [String: Int]
        }

        let file: String
        let table: String
        let rows: Int
        let bytes: Int
        let planted: [String: Int]
        let expected: Expected
    }

    var entry: Entry {
        Entry(
            file: file, table: table, rows: rows, bytes: bytes,
            planted: Dictionary(
                uniqueKeysWithValues: PlantedDefect.allCases.map { ($0.rawValue, planted[$0, default: 0]) }),
            expected: Entry.Expected(
                loaded: expectedLoaded, repaired: expectedRepaired,
                rejected: JSONDocument.counts(expectedRejected)))
    }
}
