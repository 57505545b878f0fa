import AtelierCatalog
import Testing

@Suite struct CatalogTests {
    @Test func fourteenFilesOfTheContract() {
        #expect(
            Catalog.tables.map(\.fileName) == [
                "product.csv", "features.csv", "styles.csv", "photos.csv", "skus.csv", "related.csv", "questions.csv",
                "answers.csv", "answers_photos.csv", "reviews.csv", "reviews_photos.csv", "characteristics.csv",
                "characteristic_reviews.csv", "cart.csv",
            ])
    }

    /// `TableName` is how other modules name tables: it must name each table once, in load order.
    @Test func tableNamesAreTheCatalogueTables() {
        #expect(TableName.allCases.map(\.rawValue) == Catalog.tables.map(\.name))
        #expect(TableName.allCases.map(\.position) == Array(Catalog.tables.indices))
    }

    @Test func parentsComeBeforeTheirChildren() {
        for table in Catalog.tables {
            for parent in table.parents {
                #expect(
                    parent.position < table.tableName.position, "\(parent) before \(table.name)")
            }
        }
    }

    @Test func referencesOfTheContract() {
        let references = Catalog.tables.flatMap { table in
            table.references.map { "\(table.name).\($0.column.name)->\($0.table)" }
        }
        #expect(
            references == [
                "features.product_id->product", "styles.product_id->product", "photos.style_id->styles",
                "skus.style_id->styles", "related.current_product_id->product", "related.related_product_id->product",
                "questions.product_id->product", "answers.question_id->questions", "answers_photos.answer_id->answers",
                "reviews.product_id->product", "reviews_photos.review_id->reviews",
                "characteristics.product_id->product",
                "characteristic_reviews.characteristic_id->characteristics",
                "characteristic_reviews.review_id->reviews",
            ])
    }

    @Test func onlyTheContractsColumnsMayBeNull() {
        let nullable = Catalog.tables.flatMap { table in
            table.columns.filter(\.nullable).map { "\(table.name).\($0.name)" }
        }
        #expect(
            nullable == [
                "features.value", "styles.sale_price", "photos.url", "photos.thumbnail_url", "questions.asker_email",
                "answers.answerer_email", "answers_photos.url", "reviews.reviewer_email", "reviews.response",
                "reviews_photos.url",
            ])
    }

    @Test func filesAreRecognisedByName() {
        #expect(Catalog.table(forFile: "Reviews.CSV")?.name == "reviews")
        #expect(Catalog.table(forFile: "reviews.tsv") == nil)
        #expect(Catalog.dependants(of: .reviews).map(\.name) == ["reviews_photos", "characteristic_reviews"])
    }

    @Test func idSetIsSparseAndExact() {
        var ids = IdSet()
        let first = ids.insert(5), again = ids.insert(5), largest = ids.insert(2_147_483_647)
        #expect(first && !again && largest)
        #expect(ids.contains(5) && ids.contains(2_147_483_647))
        #expect(!ids.contains(4) && !ids.contains(0) && !ids.contains(-1) && !ids.contains(2_147_483_646))
        #expect(ids.count == 2)
    }

    @Test func checksumDoesNotDependOnChunking() {
        let bytes = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        var whole = Checksum()
        bytes.withUnsafeBytes { whole.update($0) }
        var pieces = Checksum()
        for range in [0..<3, 3..<20, 20..<21, 21..<500, 500..<1000] {
            bytes[range].withUnsafeBytes { pieces.update($0) }
        }
        #expect(whole.hexDigest == pieces.hexDigest)
        var other = Checksum()
        bytes.dropLast().withUnsafeBytes { other.update($0) }
        #expect(other.hexDigest != whole.hexDigest)
    }
}
