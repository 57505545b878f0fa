import AtelierCatalog
import AtelierPostgres
import AtelierSchema
@testable import AtelierLoader
import AtelierTestSupport
import Foundation
import Testing

/// A replace that would leave a table with fewer than half its rows is refused unless the
/// user allows it; loading into empty tables never is.
@Suite struct ShrinkGuardTests {
    static let productHeader = "id,name,slogan,description,category,default_price\n"

    /// A product.csv with products 1...count (header only for 0).
    static func products(_ count: Int) throws -> String {
        let ids = count > 0 ? Array(1...count) : []
        return try Repository.folder([
            "product.csv": productHeader + ids.map { "\($0),\"P\($0)\",\"s\",\"d\",\"c\",10\n" }.joined()
        ])
    }

    static func expectRefusal(
        _ database: TestDatabase, _ folder: String, cascade: Bool = true,
        mentioning phrases: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try Catalog.tables.map { try database.count($0.name) }
        #expect(sourceLocation: sourceLocation) {
            _ = try database.load(folder, options: LoadOptions(cascade: cascade))
        } throws: { error in
            guard let error = error as? LoadError, case .refused(let message) = error else { return false }
            return error.exitCode == 2 && phrases.allSatisfy(message.contains) && message.contains("--allow-shrink")
                && message.contains("Nothing was changed")
        }
        #expect(try Catalog.tables.map { try database.count($0.name) } == before, sourceLocation: sourceLocation)
        #expect(
            try Verifier(connection: database.connect()).run().filter { !$0.passed }.map(\.name) == [],
            sourceLocation: sourceLocation)
    }

    @Test func aHeaderOnlyFileIsRefusedEvenWithCascade() throws {
        let database = try TestDatabase.withSamples()
        try Self.expectRefusal(database, try Self.products(0), mentioning: ["shrink product from 30 rows to 0"])
    }

    @Test func aTruncatedParentThatWouldEmptyItsDependantsIsRefused() throws {
        let database = try TestDatabase.withSamples()
        // 20 of 30 products is no shrink by half, but --cascade would empty every dependant.
        try Self.expectRefusal(
            database, try Self.products(20),
            mentioning: [
                "features from 70 rows to 0 (emptied by --cascade)", "reviews from 84 rows to 0 (emptied by --cascade)",
                "characteristic_reviews from 267 rows to 0 (emptied by --cascade)",
            ])
    }

    @Test func aFileWhoseRowsAreMostlyRejectedIsRefused() throws {
        let database = try TestDatabase.withSamples()
        let rows = (1...200).map { "\($0),\"Name\",\"s\",\"d\",\"c\",\($0 <= 30 ? "10" : "ten")\n" }
        let folder = try Repository.folder(["product.csv": Self.productHeader + rows.joined()])
        try Self.expectRefusal(
            database, folder, mentioning: ["170 of its 200 rows were rejected", "the 30 rows of product"])
    }

    @Test func allowShrinkLetsItThrough() throws {
        let database = try TestDatabase.withSamples()
        let report = try #require(
            try database.load(
                try Self.products(0),
                options: LoadOptions(cascade: true, allowShrink: true)
            ).first)
        #expect(report.tableRows == 0)
        #expect(try database.count("reviews") == 0)
        #expect(try database.count("cart") == 12)
    }

    @Test func loadingIntoEmptyTablesNeverShrinks() throws {
        let database = try TestDatabase.create()
        _ = try database.load(try Self.products(0), options: LoadOptions(cascade: true))
        let rows = (1...10).map { "\($0),\"Name\",\"s\",\"d\",\"c\",\($0 == 1 ? "10" : "ten")\n" }
        let mostlyRejected = try Repository.folder(["product.csv": Self.productHeader + rows.joined()])
        #expect(try database.load(mostlyRejected).first?.rowsLoaded == 1)
    }

    /// A table large enough for its statistics to spare the count is still counted, and
    /// refused with its exact figures, when the file would keep under three quarters of it.
    @Test func aLargeTableIsCountedWhenTheFileMightShrinkIt() throws {
        let database = try TestDatabase.create()
        let large = 2 * ShrinkGuard.countedBelow
        _ = try database.load(try Self.products(large))
        _ = try database.load(try Self.products(large * 4 / 5))
        #expect(try database.count("product") == large * 4 / 5)
        #expect {
            _ = try database.load(try Self.products(large * 3 / 10))
        } throws: { error in
            guard let error = error as? LoadError, case .refused(let message) = error else { return false }
            return message.contains("shrink product from \(large * 4 / 5) rows to \(large * 3 / 10)")
        }
        #expect(try database.count("product") == large * 4 / 5)
    }

    @Test func theStatisticsSpareTheCountOnlyWhenNoRuleCouldRefuse() {
        let big = 4 * ShrinkGuard.countedBelow
        func spared(_ estimate: Int?, loaded: Int, read: Int? = nil, rejected: Int = 0) -> Bool {
            ShrinkGuard.cannotRefuse(
                estimatedRows: estimate, rowsLoaded: loaded, rowsRead: read ?? loaded + rejected, rowsRejected: rejected
            )
        }
        #expect(spared(big, loaded: big))
        #expect(spared(big, loaded: big * 3 / 4))
        #expect(!spared(big, loaded: big * 3 / 4 - 1))
        #expect(!spared(nil, loaded: big))
        #expect(!spared(ShrinkGuard.countedBelow - 1, loaded: big))
        #expect(!spared(big, loaded: big, rejected: big + 1))
    }

    @Test func theCommandExitsTwoAndNamesTheFlag() throws {
        let database = try TestDatabase.withSamples()
        let folder = try Self.products(0)
        let refused = try runETL(["load", folder, "--cascade", "--database-url", database.url, "--reject-dir", folder])
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains("shrink product from 30 rows to 0") && refused.stderr.contains("--allow-shrink"))
        let allowed = try runETL([
            "load", folder, "--cascade", "--allow-shrink", "--database-url", database.url, "--reject-dir", folder,
        ])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try database.count("product") == 0)
    }
}
