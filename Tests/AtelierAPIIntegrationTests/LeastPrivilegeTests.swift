import AtelierPostgres
import AtelierSchema
import AtelierTestSupport
import Testing

/// The API's role can read the catalogue and make the API's writes (every other API test runs
/// as it), and nothing else.
@Suite struct LeastPrivilegeTests {
    @Test func theAPIRoleCannotEmptyDeleteOrRewrite() async throws {
        let database = try await Samples.copy()
        let api = try Connection(database.apiURL)
        #expect(try api.scalar("SELECT current_user") == Schema.apiRole)
        for statement in [
            "TRUNCATE cart", "DELETE FROM reviews WHERE id = 1", "UPDATE reviews SET body = 'x' WHERE id = 1",
            "INSERT INTO product (name, slogan, description, category, default_price) VALUES ('a', 'b', 'c', 'd', 1)",
            "DROP TABLE reviews", "ALTER TABLE reviews DISABLE TRIGGER ALL", "SELECT * FROM atelier_load_history",
        ] {
            // 42501: insufficient privilege (or, for DDL, not the owner).
            #expect("\(statement)") { try api.execute(statement) } throws: { error in
                ["42501"].contains((error as? DatabaseError)?.sqlState)
            }
        }
        #expect(try database.count("reviews") == 84)
        #expect(try database.count("cart") == 12)
        #expect(
            try api.scalar("UPDATE reviews SET helpfulness = helpfulness + 1 WHERE id = 1 RETURNING helpfulness") != nil
        )
    }
}
