import AtelierCatalog
import Testing

/// Runs `body` on the UTF-8 bytes of `text`.
func withBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    Array(text.utf8).withUnsafeBytes(body)
}

@Suite struct FieldReaderTests {
    @Test(arguments: [("1", 1), ("2147483647", 2_147_483_647), (" 42 ", 42), ("007", 7)] as [(String, Int64)])
    func integersInRange(text: String, value: Int64) {
        #expect(withBytes(text) { FieldReader.integer($0) } == value)
    }

    @Test(arguments: ["12x", "-3", "99999999999", "2147483648", "", "1.5", "+4", "1 2"])
    func integersRejected(text: String) {
        #expect(withBytes(text) { FieldReader.integer($0) } == nil)
    }

    @Test(arguments: ["null", "NULL", "Null", "", "  ", " null "])
    func nullSpellings(text: String) {
        #expect(withBytes(text) { FieldReader.isNull($0) })
    }

    @Test(arguments: ["nul", "nulls", "none", "0"])
    func notNull(text: String) {
        #expect(!withBytes(text) { FieldReader.isNull($0) })
    }

    @Test(arguments: [
        ("true", true), ("FALSE", false), ("t", true), ("F", false), ("1", true), ("0", false),
        ("yes", true), ("No", false), ("TRUE", true),
    ])
    func booleans(text: String, value: Bool) {
        #expect(withBytes(text) { FieldReader.boolean($0) } == value)
    }

    @Test(arguments: ["maybe", "2", "tru", "yess", "", "\u{11}"])
    func booleansRejected(text: String) {
        #expect(withBytes(text) { FieldReader.boolean($0) } == nil)
    }

    @Test(
        arguments: [
            ("140", 14_000), ("140.00", 14_000), (" $45 ", 4_500), ("$ 45", 4_500), ("99.5", 9_950),
            ("0.05", 5), ("12.345", 1_235), ("12.344", 1_234), (".5", 50), ("9999999999.99", 999_999_999_999),
        ]
            as [(String, Int64)])
    func money(text: String, cents: Int64) {
        #expect(withBytes(text) { FieldReader.money($0) } == cents)
    }

    @Test(arguments: ["abc", "", "$", "1.2.3", "-5", "10000000000", "1,5", "."])
    func moneyRejected(text: String) {
        #expect(withBytes(text) { FieldReader.money($0) } == nil)
    }

    @Test(
        arguments: [
            ("1596080481467", 1_596_080_481_467_000),
            ("2019-01-01", 1_546_300_800_000_000),
            ("2020-07-30T03:41:21.467Z", 1_596_080_481_467_000),
            ("2020-07-30 03:41:21.467", 1_596_080_481_467_000),
            ("2020-07-30T05:41:21.467+02:00", 1_596_080_481_467_000),
            ("2020-07-29T22:41:21.467-0500", 1_596_080_481_467_000),
            ("2020-02-29", 1_582_934_400_000_000),
            ("2020-07-30T03:41", 1_596_080_460_000_000),
            ("1970-01-01", 0),
        ] as [(String, Int64)])
    func dates(text: String, micros: Int64) {
        #expect(withBytes(text) { FieldReader.date($0) } == micros)
    }

    @Test(arguments: [
        "2019-13-45", "2019-02-29", "2019-1-1", "yesterday", "", "2020-07-30T25:00", "2020-07-30T03:41Z+",
        "99999999999999999", "0000-01-01",
    ])
    func datesRejected(text: String) {
        #expect(withBytes(text) { FieldReader.date($0) } == nil)
    }

    @Test func textEncoding() {
        #expect(withBytes("plain ASCII, long enough for the word loop") { isValidTextEncoding($0) })
        #expect(withBytes("Crème Brûlée, Zoë, Ünal, ¿Sí?, 😀") { isValidTextEncoding($0) })
        #expect(!withBytes("a\u{0}b") { isValidTextEncoding($0) })
        #expect(!withBytes("sixteen bytes...\u{0}") { isValidTextEncoding($0) })
        for invalid: [UInt8] in [
            [0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x41, 0x80],
        ] {
            #expect(!invalid.withUnsafeBytes { isValidTextEncoding($0) }, "\(invalid)")
        }
    }
}
