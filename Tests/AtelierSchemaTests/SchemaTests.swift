import AtelierCatalog
@testable import AtelierSchema
import Foundation
import Testing

@Suite struct SchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theCommittedSchemaFileIsTheCatalogue() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("schema/atelier.sql"), encoding: .utf8)
        #expect(file == Schema.script, "regenerate it: .build/debug/atelier-etl schema > schema/atelier.sql")
    }

    @Test func everyTableKeyAndIndexIsDeclared() {
        let script = Schema.script
        for table in Catalog.tables {
            #expect(script.contains("CREATE TABLE IF NOT EXISTS \"\(table.name)\""))
            #expect(script.contains("CONSTRAINT \"\(table.primaryKeyName)\" PRIMARY KEY"))
            for reference in table.references {
                #expect(script.contains("ADD CONSTRAINT \"\(table.foreignKeyName(reference.column))\" FOREIGN KEY"))
            }
            for column in table.indexedColumns {
                #expect(script.contains("CREATE INDEX IF NOT EXISTS \"\(table.indexName(column))\""))
            }
        }
    }

    @Test func dropAndRebuildAreSymmetric() {
        let reviews = Catalog.table(named: "reviews")!
        #expect(
            Schema.dropKeysAndIndexes(reviews) == [
                "ALTER TABLE \"reviews\" DROP CONSTRAINT IF EXISTS \"reviews_product_id_fkey\"",
                "DROP INDEX IF EXISTS \"reviews_product_id_idx\"",
                "ALTER TABLE \"reviews\" DROP CONSTRAINT IF EXISTS \"reviews_pkey\"",
            ])
        #expect(
            Schema.createKeysAndIndexes(reviews) == [
                "ALTER TABLE \"reviews\" ADD CONSTRAINT \"reviews_pkey\" PRIMARY KEY (\"id\")",
                "CREATE INDEX IF NOT EXISTS \"reviews_product_id_idx\" ON \"reviews\" (\"product_id\")",
                "ALTER TABLE \"reviews\" ADD CONSTRAINT \"reviews_product_id_fkey\" FOREIGN KEY (\"product_id\") REFERENCES \"product\" (\"id\")",
            ])
    }

    @Test func identifiersAreQuoted() {
        #expect(Schema.quoted("a\"b") == "\"a\"\"b\"")
    }
}
