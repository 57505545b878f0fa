@testable import AtelierCatalog
import Testing

/// What the reader made of one record.
struct ReadRecord: Equatable {
    var line: Int
    var fields: [String?]
    var raw: String
    var repaired = false
}

func readAll(
    _ path: String, expectedFields: Int? = nil, blockSize: Int = 1 << 20, maxRecordBytes: Int = 1 << 20,
    splitsPlainLines: Bool = true
) throws -> (records: [ReadRecord], repairs: Int) {
    let reader = try CSVRecordReader(
        path: path, blockSize: blockSize, maxRecordBytes: maxRecordBytes, splitsPlainLines: splitsPlainLines)
    reader.expectedFieldCount = expectedFields
    var records: [ReadRecord] = []
    while try reader.next() {
        #expect(!reader.isTooLong || reader.fieldCount == 0, "a too-long record has no fields")
        let fields = (0..<reader.fieldCount).map { reader.field($0).map { String(decoding: $0, as: UTF8.self) } }
        records.append(
            ReadRecord(
                line: reader.lineNumber, fields: fields, raw: String(decoding: reader.rawRecord, as: UTF8.self),
                repaired: reader.wasRepaired))
    }
    return (records, reader.repairs)
}

@Suite struct CSVRecordReaderTests {
    @Test func quotedFieldsWithCommasQuotesAndNewlines() throws {
        let path = try temporaryFile("id,body\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,plain\n")
        let records = try readAll(path).records
        #expect(
            records.map(\.fields) == [
                ["id", "body"], ["1", "a, b"], ["2", "say \"hi\""], ["3", "two\nlines"], ["4", "plain"],
            ])
        #expect(records.map(\.line) == [1, 2, 3, 4, 6])
        #expect(records[3].raw == "3,\"two\nlines\"")
    }

    @Test func crlfBomAndNoFinalNewline() throws {
        let path = try temporaryFile([0xEF, 0xBB, 0xBF] + Array("id,name\r\n1,\"Zoë\"\r\n2,last".utf8))
        let records = try readAll(path).records
        #expect(records.map(\.fields) == [["id", "name"], ["1", "Zoë"], ["2", "last"]])
        #expect(records.map(\.line) == [1, 2, 3])
        #expect(records[1].raw == "1,\"Zoë\"")
    }

    /// Past records are dropped once their fields pass `fieldBytesKept` bytes, so that a file
    /// of wide rows does not keep `recordsKept` of them in memory.
    @Test func pastRecordsAreDroppedByTheirBytesToo() throws {
        let body = String(repeating: "x", count: 4_000)
        let reader = try CSVRecordReader(
            path: try temporaryFile("id,body\n" + (1...200).map { "\($0),\(body)\n" }.joined()))
        var (records, mostStored) = (0, 0)
        while try reader.next() {
            records += 1
            mostStored = max(mostStored, reader.storedFieldBytes)
        }
        #expect(records == 201)
        #expect(mostStored < CSVRecordReader.fieldBytesKept + 4_010)
    }

    @Test func unquotedEmptyFieldIsNilQuotedEmptyIsEmpty() throws {
        let records = try readAll(try temporaryFile("a,b,c\n,\"\",x\n")).records
        #expect(records[1].fields == [nil, "", "x"])
    }

    @Test func blankLinesAreSkippedAndCountedInLineNumbers() throws {
        let records = try readAll(try temporaryFile("a,b\n\n1,2\n\n\n3,4\n")).records
        #expect(records.map(\.line) == [1, 3, 6])
    }

    @Test func missingClosingQuoteOfLastFieldIsRepairedAtTheLineBreak() throws {
        let text = """
            id,styleId,url,thumbnail_url
            1,1,"https://a/1?w=668&q=80","https://a/1?w=300&q=80"
            2,1,"https://a/2?w=668&q=80","https://a/2?w=300&q=80
            3,1,"https://a/3?w=668&q=80","https://a/3?w=300&q=80"

            """
        let (records, repairs) = try readAll(try temporaryFile(text), expectedFields: 4)
        #expect(repairs == 1)
        #expect(records.count == 4)
        #expect(records[2].fields == ["2", "1", "https://a/2?w=668&q=80", "https://a/2?w=300&q=80"])
        #expect(records[2].repaired && records[2].line == 3)
        #expect(records[2].raw == #"2,1,"https://a/2?w=668&q=80","https://a/2?w=300&q=80"#)
        #expect(records[3].fields == ["3", "1", "https://a/3?w=668&q=80", "https://a/3?w=300&q=80"])
        #expect(!records[3].repaired && records[3].line == 4)
    }

    @Test func missingClosingQuoteOnTheLastLineIsRepaired() throws {
        let (records, repairs) = try readAll(
            try temporaryFile("id,url\n1,\"https://x\"\n2,\"https://y\n"), expectedFields: 2)
        #expect(repairs == 1)
        #expect(records.last?.fields == ["2", "https://y"])
        #expect(records.last?.raw == "2,\"https://y")
    }

    @Test func newlineInsideAnEarlierFieldIsNotRepaired() throws {
        // The open field is not the last one, so the next line is a continuation.
        let text = "id,body,helpful\n1,\"first line\n2, still the body\",3\n"
        let (records, repairs) = try readAll(try temporaryFile(text), expectedFields: 3)
        #expect(repairs == 0)
        #expect(records[1].fields == ["1", "first line\n2, still the body", "3"])
    }

    @Test func withoutAKnownFieldCountNothingIsRepaired() throws {
        let (records, repairs) = try readAll(try temporaryFile("id,url\n1,\"https://y\n2,\"z\"\n"))
        #expect(repairs == 0)
        #expect(records.count == 2)
    }

    @Test func linesLongerThanTheReadBlock() throws {
        let long = String(repeating: "x", count: 300)
        let text = "id,body\n1,\"\(long)\"\n2,\(long)\n3,short\n"
        let (records, _) = try readAll(try temporaryFile(text), blockSize: 64)
        #expect(records.map(\.fields) == [["id", "body"], ["1", long], ["2", long], ["3", "short"]])
        #expect(records.map(\.line) == [1, 2, 3, 4])
        #expect(records[2].raw == "2,\(long)")
    }

    @Test func missingFileIsAReadError() {
        #expect(throws: CSVReadError.self) { try CSVRecordReader(path: "/nonexistent/reviews.csv") }
    }
}

/// The reader's own split of plain lines against libcsv's reading of every line.
@Suite struct CSVPlainLineSplitTests {
    /// Every record the reader makes of `path` (three fields expected, records of 512 bytes at most).
    private func records(_ path: String, blockSize: Int, splitsPlainLines: Bool) throws -> [ReadRecord] {
        try readAll(
            path, expectedFields: 3, blockSize: blockSize, maxRecordBytes: 512, splitsPlainLines: splitsPlainLines
        ).records
    }

    @Test func plainLinesGiveWhatLibcsvGives() throws {
        let path = try temporaryFile(
            "id,name,note\n1,plain,\"quoted, with comma\"\n2 , padded\t,\"\"\n3,,\n4,\"Zoë\" ,x\r\n5,a\"b,c\n")
        let shortcut = try records(path, blockSize: 1 << 20, splitsPlainLines: true)
        #expect(shortcut == (try records(path, blockSize: 1 << 20, splitsPlainLines: false)))
        #expect(
            shortcut.map(\.fields) == [
                ["id", "name", "note"], ["1", "plain", "quoted, with comma"], ["2", "padded", ""], ["3", nil, nil],
                ["4", "Zoë", "x"], ["5", "a\"b", "c"],
            ])
    }

    /// Lines drawn from the bytes that steer a CSV parser (quotes, commas, blanks, both line
    /// breaks, digits, a two-byte letter), read both ways with several block sizes.
    @Test(arguments: 0..<40) func randomLinesGiveWhatLibcsvGives(seed: Int) throws {
        var state = UInt64(seed + 1) &* 0x9E37_79B9_7F4A_7C15
        func nextRandom() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % 1_000_003)
        }
        let pieces: [[UInt8]] = [
            Array("\"".utf8), Array(",".utf8), Array(" ".utf8), Array("\t".utf8), Array("\n".utf8), Array("\r".utf8),
            Array("\r\n".utf8), Array("7".utf8), Array("ab".utf8), Array("é".utf8), Array(",\"x y\",".utf8),
            Array("12,\"plain\",3\n".utf8), Array("12,plain,3\n".utf8),
        ]
        var bytes: [UInt8] = []
        for _ in 0..<400 { bytes += pieces[nextRandom() % pieces.count] }
        let path = try temporaryFile(bytes)
        for blockSize in [16, 64, 1 << 20] {
            #expect(
                try records(path, blockSize: blockSize, splitsPlainLines: true)
                    == records(path, blockSize: blockSize, splitsPlainLines: false))
        }
    }
}
