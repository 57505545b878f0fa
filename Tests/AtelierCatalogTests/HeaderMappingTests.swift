@testable import AtelierCatalog
import Testing

@Suite struct HeaderMappingTests {
    let styles = Catalog.table(named: "styles")!

    @Test func currentExport() throws {
        let mapping = try HeaderMapping(
            header: ["id", "productId", "name", "sale_price", "original_price", "default_style"], table: styles)
        #expect(mapping.fieldIndex == [0, 1, 2, 3, 4, 5])
        #expect(mapping.unknownColumns.isEmpty)
    }

    @Test func olderExportWithSpacesAndBOM() throws {
        let mapping = try HeaderMapping(
            header: ["\u{FEFF}id", " productId", " name", " sale_price", " original_price", " default_style"],
            table: styles)
        #expect(mapping.fieldIndex == [0, 1, 2, 3, 4, 5])
    }

    @Test func anyOrderAnyCaseCamelOrSnake() throws {
        let mapping = try HeaderMapping(
            header: ["Default_Style", "NAME", "product_id", "ID", "originalPrice", "salePrice"], table: styles)
        #expect(mapping.fieldIndex == [3, 2, 1, 5, 4, 0])
    }

    @Test func aliases() throws {
        let mapping = try HeaderMapping(
            header: ["id", "product_id", "name", "sale_price", "original_price", "default"], table: styles)
        #expect(mapping.fieldIndex[5] == 5)
    }

    @Test func unknownColumnIsReportedAndIgnored() throws {
        let mapping = try HeaderMapping(
            header: ["id", "productId", "colour", "name", "sale_price", "original_price", "default_style"],
            table: styles)
        #expect(mapping.unknownColumns == ["colour"])
        #expect(mapping.fieldCount == 7)
        #expect(mapping.fieldIndex == [0, 1, 3, 4, 5, 6])
    }

    @Test func missingColumnRefusesTheFile() {
        #expect(throws: HeaderError.missingColumn("original_price", file: "styles.csv")) {
            try HeaderMapping(header: ["id", "productId", "name", "sale_price", "default_style"], table: styles)
        }
    }

    @Test func repeatedColumnRefusesTheFile() {
        #expect(throws: HeaderError.repeatedColumn("name", file: "styles.csv")) {
            try HeaderMapping(
                header: ["id", "productId", "name", "Name", "sale_price", "original_price", "default_style"],
                table: styles)
        }
    }
}
