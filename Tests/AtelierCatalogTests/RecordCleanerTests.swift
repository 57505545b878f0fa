import AtelierCatalog
import Testing

/// Cleans each record of `text` (a whole CSV file for `table`) and returns the outcomes.
func clean(_ table: String, _ text: String, parents: [String: [Int32]] = [:], existing: [Int32] = []) throws
    -> [Result<[FieldValue], Rejection>]
{
    let spec = Catalog.table(named: table)!
    let reader = try CSVRecordReader(path: try temporaryFile(text, name: spec.fileName))
    _ = try reader.next()
    let mapping = try HeaderMapping(header: reader.fieldStrings(), table: spec)
    reader.expectedFieldCount = mapping.fieldCount
    var parentIds: [TableName: IdSet] = [:]
    for (name, ids) in parents {
        var set = IdSet()
        ids.forEach { set.insert($0) }
        parentIds[try #require(TableName(rawValue: name))] = set
    }
    var existingIds = IdSet()
    existing.forEach { existingIds.insert($0) }
    var cleaner = RecordCleaner(table: spec, mapping: mapping, existingIds: existingIds, parentIds: parentIds)
    var outcomes: [Result<[FieldValue], Rejection>] = []
    while try reader.next() {
        if let rejection = cleaner.clean(reader) {
            outcomes.append(.failure(rejection))
        } else {
            // Text values point into the reader: compare them while they are valid.
            outcomes.append(
                .success(
                    cleaner.values.map { value in
                        if case .text(let bytes) = value { return .int32(Int32(bytes.count)) }
                        return value
                    }))
        }
    }
    return outcomes
}

func reasons(_ outcomes: [Result<[FieldValue], Rejection>]) -> [RejectReason?] {
    outcomes.map { if case .failure(let rejection) = $0 { rejection.reason } else { nil } }
}

@Suite struct RecordCleanerTests {
    static let reviewHeader =
        "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,reviewer_email,response,helpfulness\n"

    @Test func aGoodReviewBecomesTypedValues() throws {
        let outcomes = try clean(
            "reviews",
            Self.reviewHeader
                + "1,1,5,1596080481467,\"Great\",\"Body\",true,false,\"funtime\",\"first.last@gmail.com\",null,8\n",
            parents: ["product": [1]])
        #expect(
            try outcomes[0].get() == [
                .int32(1), .int32(1), .int16(5), .timestamp(1_596_080_481_467_000), .int32(5),
                .int32(4), .bool(true), .bool(false), .int32(7), .int32(20), .null, .int32(8),
            ])
    }

    @Test func everyRejectReason() throws {
        let rows = [
            "1,1,5,1596080481467,s,b,true,false,n,e,null",  // field_count
            "2x,1,5,1596080481467,s,b,true,false,n,e,null,1",  // bad_integer
            "3,1,5,1596080481467,s,b,maybe,false,n,e,null,1",  // bad_boolean
            "4,1,5,2019-13-45,s,b,true,false,n,e,null,1",  // bad_date
            "5,1,6,1596080481467,s,b,true,false,n,e,null,1",  // out_of_range
            "6,1,5,1596080481467,s,b,true,false,,e,null,1",  // missing_value
            "7,1,5,1596080481467,s,b\u{0},true,false,n,e,null,1",  // bad_encoding
            "8,1,5,1596080481467,s,b,true,false,n,e,null,1",  // loaded
            "8,1,4,1596080481467,s,b,true,false,n,e,null,1",  // duplicate_id
            "9,2,5,1596080481467,s,b,true,false,n,e,null,1",  // orphan
            "10,1,5,1596080481467,s,b,true,false,n,e,null,-1",  // bad_integer (count)
        ]
        let outcomes = try clean(
            "reviews", Self.reviewHeader + rows.joined(separator: "\n") + "\n", parents: ["product": [1]])
        #expect(
            reasons(outcomes) == [
                .fieldCount, .badInteger, .badBoolean, .badDate, .outOfRange, .missingValue,
                .badEncoding, nil, .duplicateId, .orphan, .badInteger,
            ])
    }

    @Test func badNumberForAPrice() throws {
        let outcomes = try clean(
            "product", "id,name,slogan,description,category,default_price\n1,a,b,c,d,abc\n2,a,b,c,d, $140 \n")
        #expect(reasons(outcomes) == [.badNumber, nil])
        #expect(try outcomes[1].get()[5] == .money(14_000))
    }

    @Test func invalidUTF8IsBadEncoding() throws {
        let header = Array("id,name,slogan,description,category,default_price\n".utf8)
        let row: [UInt8] = Array("1,\"Broken ".utf8) + [0xFF, 0xFE] + Array("\",b,c,d,10\n".utf8)
        let spec = Catalog.table(named: "product")!
        let reader = try CSVRecordReader(path: try temporaryFile(header + row, name: "product.csv"))
        _ = try reader.next()
        var cleaner = RecordCleaner(
            table: spec, mapping: try HeaderMapping(header: reader.fieldStrings(), table: spec), parentIds: [:])
        _ = try reader.next()
        #expect(cleaner.clean(reader)?.reason == .badEncoding)
    }

    /// The encoding is judged on each record's own text: a repaired record is handed out after
    /// the line that closed it has been read, and that valid line must not vouch for it.
    @Test func aRepairedRecordWithInvalidUTF8IsBadEncoding() throws {
        let header = Array("id,styleId,url,thumbnail_url\n".utf8)
        let broken = Array("1,1,\"https://a/1\",\"https://a/".utf8) + [0xFF] + Array("1\n".utf8)
        let valid = Array("2,1,\"https://a/2\",\"https://a/2t\"\n".utf8)
        let spec = Catalog.table(named: "photos")!
        let reader = try CSVRecordReader(path: try temporaryFile(header + broken + valid, name: "photos.csv"))
        _ = try reader.next()
        let mapping = try HeaderMapping(header: reader.fieldStrings(), table: spec)
        reader.expectedFieldCount = mapping.fieldCount
        var styles = IdSet()
        styles.insert(1)
        var cleaner = RecordCleaner(table: spec, mapping: mapping, parentIds: [.styles: styles])
        #expect(try reader.next() && reader.wasRepaired)
        #expect(cleaner.clean(reader)?.reason == .badEncoding)
        #expect(try reader.next() && !reader.wasRepaired)
        #expect(cleaner.clean(reader) == nil)
    }

    @Test func referenceZeroIsAnOrphanNegativeIsBadInteger() throws {
        let outcomes = try clean(
            "related", "id,current_product_id,related_product_id\n1,1,0\n2,1,-3\n3,1,1\n", parents: ["product": [1]])
        #expect(reasons(outcomes) == [.orphan, .badInteger, nil])
    }

    @Test func firstValidRowWithAnIdWins() throws {
        // A rejected row does not claim its id: the first row that loads does.
        let outcomes = try clean(
            "features", "id,product_id,feature,value\n1,9,Sole,x\n1,1,Sole,\n1,1,Fabric,null\n1,9,Again,x\n",
            parents: ["product": [1]])
        #expect(reasons(outcomes) == [.orphan, nil, .duplicateId, .duplicateId])
        #expect(try outcomes[1].get()[3] == .null)
    }

    @Test func appendingTreatsExistingIdsAsTaken() throws {
        let outcomes = try clean("cart", "id,user_session,product_id,active\n1,5,5,1\n2,5,5,0\n", existing: [1])
        #expect(reasons(outcomes) == [.duplicateId, nil])
    }

    @Test func nullWhereAllowedAndMissingWhereNot() throws {
        let outcomes = try clean(
            "styles",
            "id,productId,name,sale_price,original_price,default_style\n1,1,a,null,140,1\n2,1,a,10,NULL,0\n3,1,\"\",10,140,0\n",
            parents: ["product": [1]])
        #expect(reasons(outcomes) == [nil, .missingValue, .missingValue])
        #expect(try outcomes[0].get()[3] == .null)
    }
}
