import AtelierLoader
import AtelierPostgres
import AtelierSchema
import AtelierTestSupport
import Testing

@Suite struct VerifyTests {
    func failures(after damage: String) throws -> [Verifier.Check] {
        let database = try TestDatabase.withSamples()
        try database.connect().execute(damage)
        return try Verifier(connection: database.connect()).run().filter { !$0.passed }
    }

    @Test func anEmptyDatabaseFailsEveryTable() throws {
        let checks = try Verifier(connection: TestDatabase.create().connect()).run()
        let failed = checks.filter { !$0.passed }
        #expect(failed.count == 14)
        #expect(failed.allSatisfy { $0.detail == "table is missing" })
        #expect(checks.last.map { [$0.name, $0.detail] } == ["run leftovers", "none"])
    }

    /// A foreign key a run switched in `NOT VALID` and did not get to validate is not whole.
    @Test func anUnvalidatedForeignKeyIsNamed() throws {
        let failed = try failures(
            after: """
                ALTER TABLE reviews_photos DROP CONSTRAINT reviews_photos_review_id_fkey;
                ALTER TABLE reviews_photos ADD CONSTRAINT reviews_photos_review_id_fkey FOREIGN KEY (review_id)
                    REFERENCES reviews (id) NOT VALID
                """)
        #expect(failed.map(\.name) == ["keys reviews_photos"])
        #expect(failed.first?.detail == "not validated: reviews_photos_review_id_fkey")
    }

    @Test func aMissingIndexIsNamed() throws {
        let failed = try failures(after: "DROP INDEX reviews_product_id_idx")
        #expect(failed.map(\.name) == ["keys reviews"])
        #expect(failed.first?.detail == "missing: reviews_product_id_idx")
    }

    @Test func orphansAndTheMissingForeignKeyAreNamed() throws {
        let failed = try failures(
            after: """
                ALTER TABLE features DROP CONSTRAINT features_product_id_fkey;
                INSERT INTO features (id, product_id, feature, value) VALUES (500, 999, 'Sole', NULL);
                """)
        #expect(failed.map(\.name) == ["keys features", "orphans features.product_id", "sequence features"])
        #expect(failed[1].detail == "1 rows point at missing product rows")
        #expect(failed[2].detail == "next id 71, largest id 500")
    }

    @Test func rowsAddedAfterTheLoadPassButLostRowsFail() throws {
        let database = try TestDatabase.withSamples()
        try database.connect().execute("INSERT INTO cart (user_session, product_id, active) VALUES (1000, 5, true)")
        let checks = try Verifier(connection: database.connect()).run()
        #expect(checks.first { $0.name == "count cart" }?.detail == "13 rows: 12 loaded, 1 added since")
        #expect(checks.allSatisfy { $0.passed })
        try database.connect().execute("DELETE FROM cart WHERE id < 3")
        let after = try Verifier(connection: database.connect()).run().filter { !$0.passed }
        #expect(after.map(\.name) == ["count cart"])
        #expect(after.first?.detail == "11 rows, but the last load left 12")
    }

    @Test func aSequenceBehindTheLargestIdIsNamed() throws {
        let failed = try failures(after: "SELECT setval(pg_get_serial_sequence('\"answers\"', 'id'), 3)")
        #expect(failed.map(\.name) == ["sequence answers"])
        #expect(failed.first?.detail == "next id 4, largest id 72")
    }

    @Test func aWrongColumnTypeIsNamed() throws {
        let failed = try failures(after: "ALTER TABLE cart ALTER COLUMN active TYPE text")
        #expect(failed.map(\.name) == ["table cart"])
        #expect(failed.first?.detail == "wrong or missing columns: active (want boolean, have text)")
    }
}
