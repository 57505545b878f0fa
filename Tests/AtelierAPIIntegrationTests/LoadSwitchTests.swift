@testable import AtelierAPI
@testable import AtelierStore
import AtelierCatalog
import AtelierLoader
import AtelierPostgres
import AtelierSchema
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// What the API and a hot standby see while a run replaces a served catalogue: every answer
/// wholly from the old export or wholly from the new one, writes stored or made to wait but
/// never a 500, and ids never handed out twice.
@Suite(.serialized) struct LoadSwitchTests {
    static let scale = 0.003

    /// A fresh database holding the generated export of `seed`.
    static func loaded(seed: Int) async throws -> TestDatabase {
        try await blocking {
            let database = try TestDatabase.create()
            _ = try database.load(try GeneratedExports.folder(scale: scale, seed: seed))
            return database
        }
    }

    /// A run of the complete export of `seed` over `database`, as `atelier-etl load DIR` does.
    static func run(seed: Int, over database: TestDatabase, options: LoadOptions = LoadOptions()) async throws
        -> RunReport
    {
        try await blocking {
            try database.run([try GeneratedExports.folder(scale: scale, seed: seed)], options: options)
        }
    }

    /// The reads a storefront page makes about products 1–4 and questions 1–4: products with
    /// their styles (skus and photos inside), reviews with their meta, questions with answers.
    static let reads = (1...4).flatMap { id in
        [
            "/products/\(id)", "/products/\(id)/styles", "/reviews?product_id=\(id)&count=100",
            "/reviews/meta?product_id=\(id)", "/qa/questions?product_id=\(id)&count=100",
            "/qa/questions/\(id)/answers?count=100",
        ]
    }

    static func read(_ path: String, from client: any TestClientProtocol) async throws -> String {
        let answer = try await client.get(path)
        return "\(answer.status.code) \(answer.text)"
    }

    /// Each read's status and body from a server on `database`.
    static func answers(of database: TestDatabase) async throws -> [String: String] {
        let answers = Shared<[String: String]>([:])
        try await APIHarness.withApp(database: ConnectionParameters(connectionString: database.apiURL)) { client in
            for path in reads {
                let text = try await read(path, from: client)
                answers.update { $0[path] = text }
            }
        }
        return answers.value
    }

    @Test func aReaderSeesEveryAnswerWhollyFromTheOldExportOrTheNew() async throws {
        let (oldDatabase, newDatabase) = (try await Self.loaded(seed: 5), try await Self.loaded(seed: 6))
        let (old, new) = (try await Self.answers(of: oldDatabase), try await Self.answers(of: newDatabase))
        #expect(Self.reads.filter { old[$0] != new[$0] }.count == Self.reads.count, "the exports differ in every read")
        let database = try await blocking { try TestDatabase.create(template: oldDatabase) }
        let seen = Shared<(old: Int, new: Int, neither: [String])>((0, 0, []))
        let parameters = try ConnectionParameters(connectionString: database.apiURL)
        // One server with the response cache, as atelier-serve runs, and one without, whose
        // every answer comes from the database.
        try await APIHarness.withApp(database: parameters, cache: ResponseCache(capacity: 16 << 20)) { cached in
            try await APIHarness.withApp(database: parameters) { uncached in
                let done = Shared(false)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        defer { done.update { $0 = true } }
                        let run = try await Self.run(seed: 6, over: database)
                        #expect(run.outcome == .switched)
                    }
                    for client in [cached, uncached] {
                        group.addTask {
                            while !done.value {
                                for path in Self.reads {
                                    let text = try await Self.read(path, from: client)
                                    seen.update { seen in
                                        if text == old[path] {
                                            seen.old += 1
                                        } else if text == new[path] {
                                            seen.new += 1
                                        } else if seen.neither.count < 20 {
                                            seen.neither.append("\(path): \(text.prefix(300))")
                                        }
                                    }
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                // Once the change notifications are in, every answer is the new export's.
                for path in Self.reads {
                    #expect(await eventually { (try? await Self.read(path, from: cached)) == new[path] }, "\(path)")
                    #expect(try await Self.read(path, from: uncached) == new[path], "\(path)")
                }
            }
        }
        #expect(seen.value.neither == [])
        #expect(seen.value.old > 0, "polled before the switch")
    }

    @Test func writesRacingTheSwitchAreStoredOrWaitNeverA500AndIdsAreNeverReused() async throws {
        let source = try await Self.loaded(seed: 5)
        let database = try await blocking { try TestDatabase.create(template: source) }
        // Product 2's characteristics in the old export: after the switch they are another product's.
        let characteristics = try await blocking {
            try database.rows("SELECT id FROM characteristics WHERE product_id = 2 ORDER BY id").compactMap { $0[0] }
        }
        let posted = Shared<[(path: String, status: Int, id: Int?, afterRun: Bool)]>([])
        let runEnded = Shared(false)
        try await APIHarness.withApp(
            database: ConnectionParameters(connectionString: database.apiURL), deadline: .seconds(5)
        ) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { runEnded.update { $0 = true } }
                    // The racing carts outnumber the export's: replacing them is a shrink.
                    let run = try await Self.run(seed: 6, over: database, options: LoadOptions(allowShrink: true))
                    #expect(run.outcome == .switched)
                }
                let review = { (rated: Bool) in
                    jsonBody([
                        "product_id": 2, "rating": 4, "summary": "Racing", "body": "Posted while a run loads.",
                        "recommend": true, "name": "racer", "email": "racer@example.com", "photos": [],
                        "characteristics": rated
                            ? Dictionary(uniqueKeysWithValues: characteristics.map { ($0, 3) }) : [:],
                    ])
                }
                let writes: [(HTTPRequest.Method, String, String?)] = [
                    (.post, "/reviews", review(false)), (.post, "/reviews", review(true)),
                    (
                        .post, "/qa/questions",
                        #"{"body": "Warm?", "name": "racer", "email": "r@example.com", "product_id": 3}"#
                    ),
                    (
                        .post, "/qa/questions/3/answers",
                        #"{"body": "Very.", "name": "racer", "email": "r@example.com"}"#
                    ),
                    (.post, "/cart", #"{"sku_id": 5}"#), (.put, "/reviews/7/helpful", nil),
                    (.put, "/qa/questions/3/helpful", nil),
                ]
                for (method, path, body) in writes {
                    group.addTask {
                        // Until a while after the run: writes before, during and after the switch.
                        var rounds = 0
                        while !runEnded.value || rounds < 20 {
                            if runEnded.value { rounds += 1 }
                            let afterRun = runEnded.value
                            let answer = try await client.request(
                                method, path, body: body, headers: [HTTPField.Name("X-User-Session")!: "77"])
                            var id: Int?
                            if case .integer(let value)? = answer.json?["id"] { id = value }
                            posted.update { $0.append((path, Int(answer.status.code), id, afterRun)) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let answers = posted.value
        #expect(answers.filter { $0.status >= 500 && $0.status != 503 }.map { "\($0.path) \($0.status)" } == [])
        for path in Set(answers.map(\.path)) {
            let statuses = Set(answers.filter { $0.path == path }.map(\.status))
            #expect(statuses.contains(201) || statuses.contains(204), "\(path): \(statuses)")
        }
        for (path, table) in [
            ("/reviews", "reviews"), ("/qa/questions", "questions"), ("/qa/questions/3/answers", "answers"),
            ("/cart", "cart"),
        ] {
            let before = answers.filter { $0.path == path && !$0.afterRun }.compactMap(\.id)
            let after = answers.filter { $0.path == path && $0.afterRun }.compactMap(\.id)
            #expect(Set(before + after).count == before.count + after.count, "\(path): an id handed out twice")
            #expect(!after.isEmpty, "\(path)")
            // Written after the run, a row gets an id past every id handed out before it.
            #expect((after.min() ?? 0) > (before.max() ?? 0), "\(path)")
            let largest = try await blocking { try database.value("SELECT max(id) FROM \(table)") }
            #expect(Int(largest ?? "") == after.max(), "\(path)")
        }
        // Reviews posted before the switch were replaced with the rest of the table; those
        // posted after it stay, every one with a later id than every one replaced.
        let postedReviews = Set(answers.filter { $0.path == "/reviews" }.compactMap(\.id))
        let kept = try await blocking {
            Set(
                try database.rows("SELECT id FROM reviews WHERE reviewer_name = 'racer'").compactMap {
                    $0[0].flatMap { Int($0) }
                })
        }
        let replaced = postedReviews.subtracting(kept)
        #expect(kept.isSubset(of: postedReviews))
        #expect(!replaced.isEmpty && !kept.isEmpty)
        #expect((replaced.max() ?? 0) < (kept.min() ?? 0))
    }

    /// A hot standby replays the switch as one transaction: a statement on it reads the old
    /// catalogue or the new one, never some tables of each.
    @Test func aHotStandbyReadsTheOldCatalogueOrTheNewNeverAMix() async throws {
        let primary = try await blocking { try PrivateCluster(port: 5535) }
        let standby = try await blocking { try primary.startStandby(port: 5536) }
        let onPrimary = TestDatabase(name: "atelier", url: primary.url)
        let onStandby = TestDatabase(name: "atelier", url: standby.url)
        _ = try await blocking { try onPrimary.load(try GeneratedExports.folder(scale: Self.scale, seed: 5)) }
        // The first rows of every table, in one statement.
        let snapshot =
            "SELECT "
            + Catalog.tables.map { table in
                "(SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM (SELECT * FROM \(Schema.quoted(table.name)) ORDER BY id LIMIT 20) t)"
            }.joined(separator: " || ' ' || ")
        let standbyRead = { @Sendable () async -> String? in
            (try? await blocking { try onStandby.value(snapshot) }) ?? nil
        }
        let old = try #require(try await blocking { try onPrimary.value(snapshot) })
        #expect(await eventually { await standbyRead() == old }, "the standby has the old catalogue")
        // Each statement's answer; nil for one the standby cancelled (a conflict with replay).
        let reads = Shared<[String?]>([])
        let done = Shared(false)
        let reader = BackgroundWork {
            let connection = try onStandby.connect()
            while !done.value {
                let read = (try? connection.scalar(snapshot)) ?? nil
                reads.update { $0.append(read) }
            }
        }
        let run = try await blocking { try onPrimary.run([try GeneratedExports.folder(scale: Self.scale, seed: 6)]) }
        #expect(run.outcome == .switched)
        let new = try #require(try await blocking { try onPrimary.value(snapshot) })
        #expect(await eventually { await standbyRead() == new }, "the standby has the new catalogue")
        done.update { $0 = true }
        _ = try await blocking { try reader.value() }
        let answered = reads.value.compactMap { $0 }
        #expect(answered.filter { $0 != old && $0 != new } == [], "reads that were neither catalogue")
        #expect(answered.contains(old) && answered.contains(new), "read before and after the switch")
    }
}
