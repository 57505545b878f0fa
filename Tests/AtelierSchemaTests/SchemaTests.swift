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

    @Test func aStagedTableIsBuiltInTheStagingSchemaWithKeysToItsStagedParentsOnly() {
        let reviews = Catalog.table(named: "reviews")!
        #expect(
            Schema.createKeyAndIndexes(reviews, in: .staging) == [
                "ALTER TABLE \"atelier_staging\".\"reviews\" ADD CONSTRAINT \"reviews_pkey\" PRIMARY KEY (\"id\")",
                "CREATE INDEX IF NOT EXISTS \"reviews_product_id_idx\" ON \"atelier_staging\".\"reviews\" (\"product_id\")",
            ])
        #expect(
            Schema.addForeignKey(reviews, reviews.columns[1], in: .staging, parentIn: .staging)
                == "ALTER TABLE \"atelier_staging\".\"reviews\" ADD CONSTRAINT \"reviews_product_id_fkey\" FOREIGN KEY (\"product_id\") REFERENCES \"atelier_staging\".\"product\" (\"id\")"
        )
        #expect(
            Schema.addForeignKey(reviews, reviews.columns[1], validated: false)
                == "ALTER TABLE \"reviews\" ADD CONSTRAINT \"reviews_product_id_fkey\" FOREIGN KEY (\"product_id\") REFERENCES \"product\" (\"id\") NOT VALID"
        )
        #expect(
            Schema.createTable(reviews, in: .staging, withPrimaryKey: false).hasPrefix(
                "CREATE TABLE IF NOT EXISTS \"atelier_staging\".\"reviews\" ("))
        #expect(!Schema.createTable(reviews, in: .staging, withPrimaryKey: false).contains("PRIMARY KEY"))
        #expect(
            Schema.changeTriggers(reviews, in: .staging).allSatisfy {
                $0.contains("ON \"atelier_staging\".\"reviews\"")
            })
        #expect(Schema.apiGrants(reviews, in: .staging).contains("ON \"atelier_staging\".\"reviews\" TO atelier_api"))
    }

    /// Statistics for what the API's queries filter, join, group and sort on, none for text.
    @Test func aStagedTableIsAnalysedOnTheColumnsThePlannerUses() {
        for table in Catalog.tables {
            let statement = Schema.analyze(table)
            for column in table.columns {
                #expect(
                    statement.contains(Schema.quoted(column.name)) == (column.kind != .text),
                    "\(table.name).\(column.name)")
            }
        }
    }

    /// A key the loader proved is marked so, and the query for keys to validate skips it.
    @Test func aProvedForeignKeyIsMarkedAndNotValidatedAgain() {
        let reviews = Catalog.table(named: "reviews")!
        #expect(
            Schema.markForeignKeyProved(reviews, reviews.columns[1], in: .staging)
                == "COMMENT ON CONSTRAINT \"reviews_product_id_fkey\" ON \"atelier_staging\".\"reviews\" IS '\(Schema.foreignKeyProof)'"
        )
        #expect(Schema.unvalidatedForeignKeys.contains(Schema.foreignKeyProof))
    }

    @Test func identifiersAreQuoted() {
        #expect(Schema.quoted("a\"b") == "\"a\"\"b\"")
    }
}
