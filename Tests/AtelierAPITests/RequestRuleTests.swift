@testable import AtelierAPI
@testable import AtelierStore
import AtelierPostgres
import AtelierSchema
import Testing

@Suite struct RequestRuleTests {
    @Test func positiveIntegersOfAnyLength() {
        #expect(PositiveInteger("1")?.value == 1)
        #expect(PositiveInteger("0042")?.value == 42)
        #expect(PositiveInteger("123456789012345678901234567890")?.value == nil)
        #expect(PositiveInteger("123456789012345678901234567890") != nil)
        for text in ["", "0", "000", "-1", "+2", " 3", "3 ", "1.5", "1e3", "x"] {
            #expect(PositiveInteger(text) == nil, "\(text)")
        }
    }

    @Test func pagesDefaultAndClamp() throws {
        #expect(try Page(page: nil, count: nil) == Page(page: 1, count: 5))
        #expect(try Page(page: "3", count: "20").offset == 40)
        #expect(try Page(page: nil, count: "1001").count == 1000)
        #expect(try Page(page: "9007199254740991", count: "1000").offset == 9_007_199_254_740_990_000)
        #expect(throws: APIError.invalid("count must be a positive integer")) { try Page(page: nil, count: "0") }
        #expect(throws: APIError.invalid("page must be a positive integer no larger than 9007199254740991")) {
            try Page(page: "9007199254740992", count: nil)
        }
    }

    @Test func idsFitTheIntegerColumns() throws {
        #expect(try RowID.parse("2147483647", name: "review_id") == Int32.max)
        #expect(throws: APIError.invalid("invalid review_id provided")) {
            try RowID.parse("2147483648", name: "review_id")
        }
        #expect(throws: APIError.invalid("product_id is required")) { try RowID.parse(nil, name: "product_id") }
    }

    @Test func emailAddresses() {
        for good in ["first.last@gmail.com", "a@b.co", "zoë@exämple.de", "x+tag@sub.domain.org"] {
            #expect(FieldRules.isEmailAddress(good), "\(good)")
        }
        for bad in ["", "a", "a@", "@b.co", "a@b", "a@b.", "a@.b", "a@@b.co", "a b@c.de", "a@b..co", "a\n@b.co"] {
            #expect(!FieldRules.isEmailAddress(bad), "\(bad)")
        }
    }

    @Test func photoURLs() {
        #expect(FieldRules.isWebURL("https://images.unsplash.com/photo-1?ixlib=rb-1.2.1&w=668&q=80"))
        #expect(FieldRules.isWebURL("http://example.com/a.jpg"))
        for bad in [
            "", "example.com/a.jpg", "ftp://example.com/a.jpg", "javascript:alert(1)", "https://",
            "https://" + String(repeating: "a", count: 2048),
        ] {
            #expect(!FieldRules.isWebURL(bad), "\(bad.prefix(40))")
        }
    }

    @Test func connectionStringsAreReadByLibpq() throws {
        let url = try ConnectionParameters(
            connectionString: "postgresql://shop:secret@db.internal:6543/atelier?sslmode=require")
        #expect(
            url
                == ConnectionParameters(
                    host: "db.internal", port: 6543, user: "shop", password: "secret", database: "atelier",
                    sslMode: "require"))
        let keywords = try ConnectionParameters(connectionString: DatabaseLocation.embedded)
        #expect(
            keywords.host == "127.0.0.1" && keywords.port == 54320 && keywords.database == "atelier"
                && keywords.user == "postgres")
        let socket = try ConnectionParameters(connectionString: "host=/var/run/postgresql port=5433 user=app")
        #expect(socket.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(socket.database == "app")
        #expect(throws: DatabaseError.self) {
            try ConnectionParameters(connectionString: "postgresql://host:notaport/db")
        }
    }
}
