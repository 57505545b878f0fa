import AtelierCatalog
import Foundation

/// Writes one table's generated file: walks its rows, renders each column in the current
/// export format, plants the row's defect if it has one, and tallies what the loader must do.
final class TableFileWriter {
    private let walk: RowWalk
    private let table: Int
    private let spec: TableSpec
    private let shape: TableShape
    private let productCount: Int
    private let productTable: Int
    /// The row being built, without its line break, and where each of its fields starts.
    @exclusivity(unchecked) private var row: [UInt8] = []
    @exclusivity(unchecked) private var fieldStarts: [Int] = []
    /// Whether the extra reference of the row being built (related_product_id) loads.
    @exclusivity(unchecked) private var extraReferenceLoads = true
    @exclusivity(unchecked) private var output: [UInt8] = []
    private let flushSize = 1 << 20

    init(walk: RowWalk, table: Int) {
        self.walk = walk
        self.table = table
        spec = Catalog.tables[table]
        shape = ExportShape.shape(of: spec.tableName)
        productTable = walk.number(of: .product)
        productCount = walk.rootCount(ExportShape.productRows)
        row.reserveCapacity(4096)
        output.reserveCapacity(flushSize + 8192)
    }

    /// Writes the whole file at `path`.
    func write(to path: String) throws(GeneratorError) -> GeneratedFile {
        guard let file = fopen(path, "w") else { throw .cannotWrite(path, String(cString: strerror(errno))) }
        defer { fclose(file) }
        var summary = GeneratedFile(file: spec.fileName, table: spec.name)
        output.append(contentsOf: Array(shape.header.utf8))
        output.append(0x0A)
        var failed = false
        walk.walk(table) { walkRow in
            guard !failed else { return }
            build(walkRow)
            let planted = plantDefect(walkRow)
            tally(planted, parentsLoaded: walkRow.parentsLoaded && extraReferenceLoads, into: &summary)
            output.append(contentsOf: row)
            output.append(0x0A)
            if planted == .duplicateRow {
                output.append(contentsOf: row)
                output.append(0x0A)
            }
            if output.count >= flushSize { failed = !flush(file, &summary) }
        }
        if failed || !flush(file, &summary) || fflush(file) != 0 {
            throw .cannotWrite(path, String(cString: strerror(errno)))
        }
        return summary
    }

    private func flush(_ file: UnsafeMutablePointer<FILE>, _ summary: inout GeneratedFile) -> Bool {
        let written = output.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        summary.bytes += written
        defer { output.removeAll(keepingCapacity: true) }
        return written == output.count
    }

    // MARK: - Tally

    private func tally(_ planted: PlantedDefect?, parentsLoaded: Bool, into summary: inout GeneratedFile) {
        summary.rows += planted == .duplicateRow ? 2 : 1
        if let planted { summary.planted[planted, default: 0] += 1 }
        if planted == .unclosedQuote { summary.expectedRepaired += 1 }
        if let reason = planted?.rejectReason {
            summary.expectedRejected[reason, default: 0] += 1
        } else if !parentsLoaded {
            summary.expectedRejected[.orphan, default: 0] += planted == .duplicateRow ? 2 : 1
        } else {
            summary.expectedLoaded += 1
            if planted == .duplicateRow { summary.expectedRejected[.duplicateId, default: 0] += 1 }
        }
    }

    // MARK: - Defects

    /// Garbles the built row as its planted defect says; returns the defect actually planted.
    private func plantDefect(_ walkRow: WalkRow) -> PlantedDefect? {
        guard let (defect, column) = walk.defects.defect(table: table, id: walkRow.id) else { return nil }
        switch defect {
        case .truncatedRecord: row.removeSubrange((fieldStarts[fieldStarts.count - 1] - 1)...)
        case .duplicateRow: break
        case .unclosedQuote:
            guard row.last == UInt8(ascii: "\"") else { return nil }  // a null URL has no quote to lose
            row.removeLast()
        case .badInteger: replaceField(column, with: "12x")
        case .badBoolean: replaceField(column, with: "maybe")
        case .badDate: replaceField(column, with: "2019-13-45")
        case .badNumber: replaceField(column, with: "abc")
        case .outOfRange: replaceField(column, with: "6")
        case .missingValue: replaceField(column, with: "null")
        case .badEncoding: replaceField(column, bytes: [0x22, 0x62, 0x61, 0xC3, 0x28, 0x64, 0x22])
        case .orphan: replaceField(column, with: "2000000000")
        }
        return defect
    }

    private func replaceField(_ column: Int, with text: String) { replaceField(column, bytes: Array(text.utf8)) }

    private func replaceField(_ column: Int, bytes: [UInt8]) {
        let end = column + 1 < fieldStarts.count ? fieldStarts[column + 1] - 1 : row.count
        row.replaceSubrange(fieldStarts[column]..<end, with: bytes)
    }

    // MARK: - Values

    private func build(_ walkRow: WalkRow) {
        row.removeAll(keepingCapacity: true)
        fieldStarts.removeAll(keepingCapacity: true)
        extraReferenceLoads = true
        var random = RowRandom(seed: walk.seed, stream: RandomStream.values(table), index: walkRow.id)
        for (column, style) in shape.values.enumerated() {
            if column > 0 { row.append(UInt8(ascii: ",")) }
            fieldStarts.append(row.count)
            append(style, column: column, walkRow, &random)
        }
    }

    private func append(_ style: ValueStyle, column: Int, _ walkRow: WalkRow, _ random: inout RowRandom) {
        switch style {
        case .id: appendInteger(walkRow.id)
        case .parent: appendInteger(walkRow.parent)
        case .secondParent: appendInteger(walkRow.secondParent)
        case .anyProduct:
            let product = random.int(in: 1...productCount)
            if spec.columns[column].kind.referencedTable != nil, walk.defects.rejects(table: productTable, id: product)
            {
                extraReferenceLoads = false
            }
            appendInteger(product)
        case .words(let count): appendWords(count, &random)
        case .nullableWords(let count, let nullChance):
            if random.chance(nullChance) { appendNull() } else { appendWords(count, &random) }
        case .pick(let choices): appendQuoted(choices[random.below(choices.count)])
        case .price: appendInteger(random.int(in: 10...900))
        case .salePrice: if random.chance(0.7) { appendNull() } else { appendInteger(random.int(in: 5...600)) }
        case .firstOfParent: appendInteger(walkRow.ordinal == 0 ? 1 : 0)
        case .flag(let trueChance, let digits):
            let value = random.chance(trueChance)
            appendASCII(digits ? (value ? "1" : "0") : (value ? "true" : "false"))
        case .photoURL(let width): appendPhotoURL(width: width, &random)
        case .size:
            let shoes = walkRow.parent % 3 == 0
            appendQuoted(ExportShape.sizes[shoes ? 6 + walkRow.ordinal % 10 : walkRow.ordinal % 6])
        case .integer(let range): appendInteger(random.int(in: range))
        case .rating: appendInteger(random.int(in: 1...5))
        case .date: appendInteger(1_514_764_800_000 + random.below(126_230_400_000))
        case .personName: appendPersonName(&random)
        case .email:
            if random.chance(0.02) { appendNull() } else { appendEmail(&random) }
        case .characteristicName:
            let names = ExportShape.characteristicNames
            appendQuoted(names[(walkRow.parent + walkRow.ordinal) % names.count])
        }
    }

    private func appendInteger(_ value: Int) {
        guard value > 0 else { row.append(UInt8(ascii: "0")); return }
        var digits = 0, rest = value
        while rest > 0 { digits += 1; rest /= 10 }
        let start = row.count
        row.append(contentsOf: repeatElement(0, count: digits))
        rest = value
        for offset in stride(from: start + digits - 1, through: start, by: -1) {
            row[offset] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    private func appendASCII(_ text: StaticString) {
        text.withUTF8Buffer { row.append(contentsOf: $0) }
    }

    private func appendNull() { appendASCII("null") }

    private func appendQuoted(_ text: String) {
        row.append(UInt8(ascii: "\""))
        row.append(contentsOf: text.utf8)
        row.append(UInt8(ascii: "\""))
    }

    /// Quoted words; now and then a comma, a line break, or a "quoted" word (doubled quotes).
    private func appendWords(_ count: ClosedRange<Int>, _ random: inout RowRandom) {
        let words = Vocabulary.words
        row.append(UInt8(ascii: "\""))
        for index in 0..<random.int(in: count) {
            if index > 0 {
                switch random.below(100) {
                case 0: row.append(0x0A)
                case 1...8: appendASCII(", ")
                case 9: appendASCII(" \"\"really\"\" ")
                default: row.append(UInt8(ascii: " "))
                }
            }
            row.append(contentsOf: words[random.below(words.count)])
        }
        row.append(UInt8(ascii: "\""))
    }

    private func appendPersonName(_ random: inout RowRandom) {
        row.append(UInt8(ascii: "\""))
        row.append(contentsOf: Vocabulary.names[random.below(Vocabulary.names.count)])
        appendInteger(random.below(1000))
        row.append(UInt8(ascii: "\""))
    }

    private func appendEmail(_ random: inout RowRandom) {
        row.append(UInt8(ascii: "\""))
        row.append(contentsOf: Vocabulary.names[random.below(Vocabulary.names.count)])
        appendInteger(random.below(10_000))
        row.append(UInt8(ascii: "@"))
        row.append(contentsOf: Vocabulary.domains[random.below(Vocabulary.domains.count)])
        row.append(UInt8(ascii: "\""))
    }

    private func appendPhotoURL(width: Int, _ random: inout RowRandom) {
        guard !random.chance(0.01) else { appendNull(); return }
        appendASCII("\"https://images.unsplash.com/photo-")
        row.append(contentsOf: Vocabulary.photoIDs[random.below(Vocabulary.photoIDs.count)])
        appendASCII("?ixlib=rb-1.2.1&ixid=eyJhcHBfaWQiOjEyMDd9&auto=format&fit=crop&w=")
        appendInteger(width)
        appendASCII("&q=80\"")
    }
}
