#if canImport(Glibc)
    import Glibc
#endif
import AtelierCommandLine
import AtelierTestSupport
import Foundation
import Testing

@Suite struct CommandLineTests {
    @Test func usageErrorsExitOne() throws {
        #expect(try runETL([]).status == 1)
        #expect(try runETL(["load"]).status == 1)
        #expect(try runETL(["load", "--append", "--cascade", "x.csv"]).status == 1)
        #expect(try runETL(["frobnicate"]).status == 1)
    }

    @Test func helpDocumentsTheExitCodes() throws {
        let result = try runETL(["--help"])
        #expect(result.status == 0)
        for line in [
            "0  done", "1  usage error", "2  the run was refused", "3  database error", "4  verify found problems",
        ] {
            #expect(result.stdout.contains(line), "\(line)")
        }
    }

    /// Every command prints its usage on standard output and exits 0, as `help COMMAND` does.
    @Test(arguments: [[], ["load"], ["verify"], ["schema"], ["generate"]])
    func everyCommandsHelpIsItsUsage(_ command: [String]) throws {
        for arguments in [command + ["--help"], command + ["-h"], ["help"] + command] {
            let result = try runETL(arguments)
            #expect(result.status == 0, "\(arguments)")
            #expect(
                result.stdout.contains("USAGE: atelier-etl \(command.first ?? "")"), "\(arguments): \(result.stdout)")
            #expect(result.stderr.isEmpty, "\(arguments)")
        }
    }

    @Test func versionIsTheRelease() throws {
        let result = try runETL(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "atelier-etl \(AtelierVersion.current)\n")
    }

    @Test func anUnreadableOrUnknownFileExitsTwo() throws {
        let database = try TestDatabase.create()
        #expect(try runETL(["load", "/nonexistent/reviews.csv", "--database-url", database.url]).status == 2)
        let folder = try Repository.folder(["inventory.csv": "id\n1\n"])
        let result = try runETL(["load", folder + "/inventory.csv", "--database-url", database.url])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not an export file"))
    }

    /// A run is whole or nothing: a file with a bad header refuses it before anything is staged,
    /// and the other files of the run are not loaded either.
    @Test func aRefusedFileRefusesTheWholeRun() throws {
        let database = try TestDatabase.withSamples()
        let folder = try Repository.folder(["features.csv": "id,product_id,feature\n1,1,\"Sole\"\n"])
        let reviews = (1...40).map {
            "\($0),2,4,1596080481467,\"S\",\"New\",true,false,\"n\",\"a@b.co\",null,1\n"
        }
        try Data((ReplaceAndAppendTests.reviewHeader + reviews.joined()).utf8).write(
            to: URL(fileURLWithPath: folder + "/reviews.csv"))
        let result = try runETL(["load", folder, "--database-url", database.url, "--reject-dir", folder])
        #expect(result.status == 2)
        #expect(result.stderr.contains("features.csv") && result.stderr.contains("value"), "\(result.stderr)")
        #expect(result.stdout.contains("nothing switched"))
        #expect(try database.count("reviews") == 84)
        #expect(try database.value("SELECT count(*) FROM atelier_load_history WHERE file = 'reviews.csv'") == "1")
    }

    @Test func aFIFOADirectoryOrADeviceIsRefusedAtOnce() throws {
        let database = try TestDatabase.create()
        let folder = try Repository.temporaryDirectory()
        #expect(mkfifo(folder + "/product.csv", 0o600) == 0)
        try FileManager.default.createDirectory(atPath: folder + "/features.csv", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder + "/styles.csv", withDestinationPath: "/dev/zero")
        let started = Date()
        let result = try runETL(["load", folder, "--database-url", database.url, "--reject-dir", folder], timeout: 30)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(result.status == 2)
        for (file, kind) in [("product.csv", "a FIFO"), ("features.csv", "a directory"), ("styles.csv", "a device")] {
            #expect(result.stderr.contains("\(file): cannot read: not a regular file (\(kind))"), "\(result.stderr)")
        }
    }

    @Test func aGigabyteUnclosedQuoteIsOneTooLongRecordInBoundedMemory() throws {
        let database = try TestDatabase.create()
        let folder = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/product.csv"
        #expect(
            FileManager.default.createFile(
                atPath: path,
                contents: Data(
                    """
                    id,name,slogan,description,category,default_price
                    1,"First","s","d","c",10
                    2,"Unclosed","s","d","c",10,"and then

                    """.utf8)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        let block = Data(String(repeating: String(repeating: "lorem ipsum ", count: 10) + "\n", count: 8192).utf8)
        for _ in 0..<(1 << 30) / block.count + 1 { handle.write(block) }
        handle.write(Data("3,\"Third\",\"s\",\"d\",\"c\",10\n".utf8))
        handle.closeFile()
        let peak = folder + "/peak.txt"
        let result = try runETL(
            [
                "load", path, "--database-url", database.url, "--reject-dir", folder,
                "--report", folder + "/report.json",
            ], peakMemory: peak)
        #expect(result.status == 0, "\(result.stderr)")
        let kib =
            Int(try String(contentsOfFile: peak, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            ?? .max
        #expect(kib < 300 * 1024, "peak RSS \(kib) KiB")
        #expect(try database.count("product") == 2)
        let report = try String(contentsOfFile: folder + "/report.json", encoding: .utf8)
        #expect(report.contains("\"rows_loaded\":2,\"rows_read\":3,") && report.contains("\"too_long\":1"))
        let rejects = try String(contentsOfFile: folder + "/product.rejects.csv", encoding: .utf8)
        #expect(rejects.hasPrefix("line,reason,detail,record\n3,too_long,\"the record runs 10"))
        #expect(rejects.utf8.count < 4096)
    }

    /// Reject files go to the user's state folder unless told, never the current folder; only a
    /// file with rejected rows gets one, and a stale one of the same table is removed.
    @Test func rejectFilesOnlyWhereRowsWereRejectedAndNeverInTheCurrentFolder() throws {
        let database = try TestDatabase.create()
        let folder = try Repository.folder([
            "product.csv": "id,name,slogan,description,category,default_price\n1,a,b,c,d,10\n2,a,b,c,d,ten\n",
            "cart.csv": "id,user_session,product_id,active\n1,1,1,true\n",
        ])
        let state = try Repository.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: state + "/atelier/rejects", withIntermediateDirectories: true)
        try Data("stale".utf8).write(to: URL(fileURLWithPath: state + "/atelier/rejects/cart.rejects.csv"))
        let result = try runETL(
            ["load", folder, "--database-url", database.url], environment: ["XDG_STATE_HOME": state],
            in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("reject files: \(state)/atelier/rejects"))
        let written = try FileManager.default.contentsOfDirectory(atPath: state + "/atelier/rejects")
        #expect(written == ["product.rejects.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["cart.csv", "product.csv"])
    }

    @Test func aPasswordInTheURLIsNeverPrinted() throws {
        for url in [
            "postgresql://postgres:s3cret-pw@127.0.0.1:1/none?connect_timeout=2",
            "postgresql://postgres:s3cret-pw@127.0.0.1:1/none?sslmode=bogus",
        ] {
            let result = try runETL(["verify", "--database-url", url])
            #expect(result.status == 3 || result.status == 1)
            #expect(!result.stderr.contains("s3cret") && !result.stdout.contains("s3cret"), "\(result.stderr)")
        }
    }

    @Test func anUnreachableDatabaseExitsThree() throws {
        let result = try runETL([
            "load", Repository.samples, "--database-url", "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2",
        ])
        #expect(result.status == 3)
        #expect(result.stderr.contains("cannot connect"))
        #expect(
            try runETL(["verify"], environment: ["DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"]).status == 3)
    }

    @Test func loadWritesTheSummaryTheReportAndTheRejectFiles() throws {
        let database = try TestDatabase.create()
        let out = try Repository.temporaryDirectory()
        let result = try runETL(
            ["load", Repository.samples, "--report", out + "/report.json"], environment: ["DATABASE_URL": database.url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("file "))
        #expect(result.stdout.contains("photos.csv"))
        let report = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        #expect(
            report.hasPrefix(
                """
                {"files":[{"file":"product.csv","rejected":{"bad_boolean":0,"bad_date":0,"bad_encoding":1,"bad_integer":1,\
                "bad_number":1,"duplicate_id":1,"field_count":1,"missing_value":1,"orphan":0,"out_of_range":0,"too_long":0},\
                "rows_loaded":30,"rows_read":36,"rows_repaired":0,"seconds":
                """))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(json["outcome"] as? String == "switched")
        let switched = try #require(json["switch"] as? [String: Any])
        #expect((switched["tables"] as? [String])?.count == 14)
        #expect(switched["lock_seconds"] is Double && switched["attempts"] as? Int == 1)
        #expect(result.stdout.contains("switched in 14 tables at once: locks held"))
        #expect(files.count == 14)
        let photos = try #require(files.first { $0["file"] as? String == "photos.csv" })
        #expect(photos["rows_repaired"] as? Int == 2)
        #expect(photos["seconds"] is Double)
        for file in files {
            let table = try #require(file["table"] as? String)
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(table).rejects.csv"), "\(table)")
        }
    }

    @Test func verifyExitsZeroWhenConsistentAndFourNamingEachFailure() throws {
        let database = try TestDatabase.withSamples()
        let good = try runETL(["verify", "--database-url", database.url])
        #expect(good.status == 0)
        #expect(good.stdout.contains("all 71 checks passed"))
        let json = try runETL(["verify", "--json", "--database-url", database.url])
        #expect(json.stdout.hasPrefix(#"{"checks":[{"detail":"6 columns","name":"table product","ok":true}"#))
        #expect(json.stdout.hasSuffix(#""ok":true}"# + "\n"))
        try database.connect().execute("DROP INDEX skus_style_id_idx; DELETE FROM cart WHERE id = 1")
        let bad = try runETL(["verify", "--database-url", database.url])
        #expect(bad.status == 4)
        #expect(bad.stdout.contains("2 of 71 checks failed"))
        #expect(bad.stderr.contains("keys skus (missing: skus_style_id_idx)"))
        #expect(bad.stderr.contains("count cart (11 rows, but the last load left 12)"))
    }

    @Test func schemaPrintsTheCommittedSchemaFile() throws {
        let result = try runETL(["schema"])
        #expect(result.status == 0)
        #expect(result.stdout == (try String(contentsOfFile: Repository.root + "/schema/atelier.sql", encoding: .utf8)))
    }
}
