@testable import AtelierCatalog
import Testing

@Suite struct BinaryCopyEncoderTests {
    func encoded(_ value: FieldValue) -> [UInt8] {
        let buffer = GrowableBuffer()
        BinaryCopyEncoder.append(value, to: buffer)
        return Array(buffer.bytes)
    }

    @Test func numericWithTwoDecimals() {
        // length, ndigits, weight, sign, dscale, digits (base 10000)
        #expect(encoded(.money(14_000)) == [0, 0, 0, 10, 0, 1, 0, 0, 0, 0, 0, 2, 0, 140])
        #expect(encoded(.money(1_234)) == [0, 0, 0, 12, 0, 2, 0, 0, 0, 0, 0, 2, 0, 12, 0x0D, 0x48])
        #expect(encoded(.money(5)) == [0, 0, 0, 10, 0, 1, 0xFF, 0xFF, 0, 0, 0, 2, 0x01, 0xF4])
        #expect(encoded(.money(0)) == [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2])
        #expect(encoded(.money(123_456_789)) == [0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 2, 0, 123, 0x11, 0xD7, 0x22, 0xC4])
    }

    @Test func scalarsAndNull() {
        #expect(encoded(.null) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(encoded(.int32(258)) == [0, 0, 0, 4, 0, 0, 1, 2])
        #expect(encoded(.int16(5)) == [0, 0, 0, 2, 0, 5])
        #expect(encoded(.bool(true)) == [0, 0, 0, 1, 1])
        // 2000-01-01T00:00:00.000001Z is one microsecond after PostgreSQL's epoch.
        #expect(encoded(.timestamp(946_684_800_000_001)) == [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(Array("é".utf8).withUnsafeBytes { encoded(.text($0)) } == [0, 0, 0, 2, 0xC3, 0xA9])
    }

    @Test func headerAndTrailer() {
        let buffer = GrowableBuffer()
        BinaryCopyEncoder.appendHeader(to: buffer)
        BinaryCopyEncoder.appendTrailer(to: buffer)
        #expect(
            Array(buffer.bytes) == Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0] + [UInt8](repeating: 0, count: 8) + [
                0xFF, 0xFF,
            ])
    }
}
