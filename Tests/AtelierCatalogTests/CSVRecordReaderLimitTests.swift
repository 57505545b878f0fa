#if canImport(Glibc)
    import Glibc
#endif
import AtelierCatalog
import Foundation
import Testing

/// The reader's bounds: a record over the limit is skipped to the next record start and comes
/// out as one too-long record; what is not a regular file is refused before any read; a file
/// that changes size while it is read is refused.
@Suite struct CSVRecordReaderLimitTests {
    static func reader(_ path: String, limit: Int, blockSize: Int = 1 << 20) throws -> CSVRecordReader {
        let reader = try CSVRecordReader(path: path, blockSize: blockSize, maxRecordBytes: limit)
        reader.expectedFieldCount = 2
        return reader
    }

    @Test func anUnclosedQuoteIsSkippedToTheNextLineThatStartsARecord() throws {
        let swallowed = (1...50).map { "text line \($0) that the open quote swallows" }.joined(separator: "\n")
        let path = try temporaryFile("id,body\n1,\"ok\"\n2,\"unclosed, then \(swallowed)\n3,\"fine\"\n4,last\n")
        let reader = try Self.reader(path, limit: 1024)
        var seen: [(line: Int, fields: [String], tooLong: Bool, raw: String)] = []
        while try reader.next() {
            seen.append(
                (
                    reader.lineNumber, reader.fieldStrings(), reader.isTooLong,
                    String(decoding: reader.rawRecord, as: UTF8.self)
                ))
        }
        #expect(seen.map(\.line) == [1, 2, 3, 53, 54])
        #expect(seen.map(\.fields) == [["id", "body"], ["1", "ok"], [], ["3", "fine"], ["4", "last"]])
        #expect(seen.map(\.tooLong) == [false, false, true, false, false])
        #expect(seen[2].raw.hasPrefix("2,\"unclosed, then text line 1"))
        #expect(seen[2].raw.utf8.count == CSVRecordReader.tooLongPrefixBytes)
        #expect(reader.tooLongRecordBytes > 1024)
    }

    @Test func oneLineLongerThanTheLimitAndTheReadBlock() throws {
        let path = try temporaryFile("id,body\n1,\(String(repeating: "x", count: 10_000))\n2,after\n")
        let reader = try Self.reader(path, limit: 2048, blockSize: 512)
        var seen: [(fields: [String], tooLong: Bool)] = []
        while try reader.next() { seen.append((reader.fieldStrings(), reader.isTooLong)) }
        #expect(seen.map(\.fields) == [["id", "body"], [], ["2", "after"]])
        #expect(seen.map(\.tooLong) == [false, true, false])
        #expect(reader.tooLongRecordBytes == 10_003)
    }

    @Test func aTooLongRecordAtTheEndOfTheFile() throws {
        let path = try temporaryFile("id,body\n1,\"never closed \(String(repeating: "y", count: 5000))")
        let reader = try Self.reader(path, limit: 1024)
        var tooLong: [Bool] = []
        while try reader.next() { tooLong.append(reader.isTooLong) }
        #expect(tooLong == [false, true])
    }

    @Test func recordsUpToTheLimitAreReadWhole() throws {
        let body = String(repeating: "z", count: 1000)
        let path = try temporaryFile("id,body\n1,\"\(body)\"\n")
        let reader = try Self.reader(path, limit: 1009)  // 1,"…"\n is 1,009 bytes
        #expect(try reader.next() && reader.next())
        #expect(!reader.isTooLong && reader.fieldStrings() == ["1", body])
    }

    @Test func theCleanerRejectsATooLongRecord() throws {
        let header =
            "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,reviewer_email,response,helpfulness\n"
        let huge = String(repeating: "w", count: 2 << 20)
        let outcomes = try clean(
            "reviews",
            header + "1,1,5,1596080481467,s,\"\(huge)\",true,false,n,e,null,1\n"
                + "2,1,5,1596080481467,s,b,true,false,n,e,null,1\n", parents: ["product": [1]])
        #expect(reasons(outcomes) == [.tooLong, nil])
    }

    @Test func aFIFOADirectoryAndADeviceAreRefusedWithoutReading() throws {
        let folder = (try temporaryFile("")) + ".d"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fifo = folder + "/fifo.csv"
        #expect(mkfifo(fifo, 0o600) == 0)
        let device = folder + "/device.csv"
        try FileManager.default.createSymbolicLink(atPath: device, withDestinationPath: "/dev/zero")
        for (path, kind) in [(fifo, "a FIFO"), (folder, "a directory"), (device, "a device")] {
            #expect {
                _ = try CSVRecordReader(path: path)
            } throws: { error in
                (error as? CSVReadError)?.message == "not a regular file (\(kind)); refusing to read it"
            }
        }
    }

    @Test func aFileThatGrowsOrShrinksWhileItIsReadIsRefused() throws {
        for change in ["grow", "shrink"] {
            let path = try temporaryFile("id,body\n1,a\n2,b\n")
            let reader = try Self.reader(path, limit: 1024)
            #expect(try reader.next())
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            if change == "grow" {
                handle.seekToEndOfFile()
                handle.write(Data("3,c\n".utf8))
            } else {
                handle.truncateFile(atOffset: 8)
            }
            handle.closeFile()
            #expect(throws: CSVReadError.self, "\(change)") {
                while try reader.next() {}
                try reader.checkUnchanged()
            }
        }
    }
}
