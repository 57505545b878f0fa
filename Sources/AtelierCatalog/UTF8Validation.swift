/// Whether `bytes` is well-formed UTF-8 with no NUL byte: what PostgreSQL accepts as text.
/// ASCII, the common case, is checked eight bytes at a time.
@inlinable
public func isValidTextEncoding(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let count = bytes.count
    var index = 0
    while index < count {
        if index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let hasZero = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
            if word & 0x8080_8080_8080_8080 == 0 && hasZero == 0 { index += 8; continue }
        }
        let lead = bytes[index]
        if lead == 0 { return false }
        if lead < 0x80 { index += 1; continue }
        let length: Int
        var lowest: UInt8 = 0x80, highest: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowest = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; highest = 0x9F
        case 0xF0: length = 4; lowest = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; highest = 0x8F
        default: return false
        }
        guard index + length <= count else { return false }
        let second = bytes[index + 1]
        guard second >= lowest, second <= highest else { return false }
        var offset = 2
        while offset < length {
            guard bytes[index + offset] & 0xC0 == 0x80 else { return false }
            offset += 1
        }
        index += length
    }
    return true
}
