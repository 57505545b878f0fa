#if canImport(Glibc)
    import Glibc
#endif
import AtelierCatalog
import Foundation

/// One fuzz input through the whole client side of a load: CSV reader (with its quote repair
/// and record limit), header mapping, cleaner and binary COPY encoder. The first byte picks
/// the table; the second picks whether the table's own header is put in front (so most
/// inputs reach the cleaner) and the read block size (so lines split across blocks). The
/// reader's promises are checked: no record over its limit, a too-long record has no fields,
/// and its own split of plain lines gives exactly what libcsv gives for every line.
enum CSVFuzzTarget {
    static let maxRecordBytes = 2048
    /// The reader takes a path: each input is written to one file, in memory where possible.
    static let path =
        (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        + "/atelier-fuzz-\(getpid()).csv"

    static func run(_ input: UnsafeRawBufferPointer) {
        guard input.count >= 2 else { return }
        let table = Catalog.tables[Int(input[0]) % Catalog.tables.count]
        var file = Data()
        if input[1] & 1 == 0 { file.append(Data((table.columns.map(\.name).joined(separator: ",") + "\n").utf8)) }
        file.append(contentsOf: input.dropFirst(2))
        guard FileManager.default.createFile(atPath: path, contents: file) else { fatalError("cannot write \(path)") }
        let blockSize = [64, 256, 4096, 1 << 20][Int(input[1] >> 1) % 4]
        guard let reader = try? CSVRecordReader(path: path, blockSize: blockSize, maxRecordBytes: maxRecordBytes),
            (try? reader.next()) == true,
            let mapping = try? HeaderMapping(header: reader.fieldStrings(), table: table)
        else { return }
        reader.expectedFieldCount = mapping.fieldCount
        precondition(
            records(blockSize: blockSize, fieldCount: mapping.fieldCount, splitsPlainLines: true)
                == records(blockSize: blockSize, fieldCount: mapping.fieldCount, splitsPlainLines: false),
            "the reader's split of a plain line differs from libcsv's")
        var parents: [TableName: IdSet] = [:]
        for parent in table.parents {
            var ids = IdSet()
            for id in Int32(1)...3 { ids.insert(id) }
            parents[parent] = ids
        }
        var cleaner = RecordCleaner(table: table, mapping: mapping, parentIds: parents)
        let buffer = GrowableBuffer()
        BinaryCopyEncoder.appendHeader(to: buffer)
        while (try? reader.next()) == true {
            precondition(reader.rawRecord.count <= maxRecordBytes, "a record over the limit came out whole")
            precondition(!reader.isTooLong || reader.fieldCount == 0, "a too-long record has fields")
            if cleaner.clean(reader) == nil { BinaryCopyEncoder.appendRow(cleaner.values, to: buffer) }
        }
    }

    /// Every record of the input file as the reader gives it: line, repair, length if too
    /// long, fields (nil for an unquoted empty one) and raw text.
    private static func records(blockSize: Int, fieldCount: Int, splitsPlainLines: Bool) -> [[[UInt8]?]] {
        guard
            let reader = try? CSVRecordReader(
                path: path, blockSize: blockSize, maxRecordBytes: maxRecordBytes, splitsPlainLines: splitsPlainLines)
        else { return [] }
        reader.expectedFieldCount = fieldCount
        var records: [[[UInt8]?]] = []
        while (try? reader.next()) == true {
            let about = [
                reader.lineNumber, reader.wasRepaired ? 1 : 0, reader.isTooLong ? reader.tooLongRecordBytes : -1,
            ]
            records.append(
                [Array("\(about)".utf8), Array(reader.rawRecord)]
                    + (0..<reader.fieldCount).map { reader.field($0).map(Array.init) })
        }
        return records
    }
}
