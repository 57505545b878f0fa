import NIOCore

/// A cached list answer, compact JSON as PostgreSQL builds it: `{…,"results":[{…},{…}]}`, each
/// result an object with an id, a count and a date string among its members. Read in one pass,
/// so that `CountPatch` can set a result's count and put the results back in order; nil for
/// anything else (which the caller reads again).
package struct CountedList {
    /// The members that identify, count and date a result.
    package struct Keys: Sendable {
        let id: String
        let count: String
        let date: String
    }

    /// One result: its bytes, and what was read from them.
    package struct Element {
        private(set) var bytes: [UInt8]
        let id: Int32
        private(set) var count: Int32
        let date: String
        private var countRange: Range<Int>

        /// Writes `value` in place of the count.
        mutating func setCount(_ value: Int32) {
            let digits = Array(String(value).utf8)
            bytes.replaceSubrange(countRange, with: digits)
            countRange = countRange.lowerBound..<countRange.lowerBound + digits.count
            count = value
        }

        init?(_ bytes: [UInt8], keys: Keys) {
            guard let members = CountedList.members(of: bytes),
                let idRange = members[keys.id], let id = CountedList.integer(bytes[idRange]),
                let countRange = members[keys.count], let count = CountedList.integer(bytes[countRange]),
                let dateRange = members[keys.date], dateRange.count >= 2,
                bytes[dateRange.lowerBound] == CountedList.quote
            else { return nil }
            self.bytes = bytes
            self.id = id
            self.count = count
            self.countRange = countRange
            date = String(decoding: bytes[dateRange], as: UTF8.self)
        }
    }

    private let prefix: [UInt8]
    private let suffix: [UInt8]
    package var elements: [Element]

    package init?(_ body: ByteBuffer, keys: Keys) {
        let bytes = Array(body.readableBytesView)
        let marker = Array("\"results\":[".utf8)
        guard let start = bytes.firstRange(of: marker)?.upperBound else { return nil }
        var elements: [Element] = []
        var index = start
        if index < bytes.count, bytes[index] != UInt8(ascii: "]") {
            while true {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "{"),
                    let end = Self.valueEnd(bytes, from: index),
                    end < bytes.count, let element = Element(Array(bytes[index..<end]), keys: keys)
                else { return nil }
                elements.append(element)
                index = end + 1
                if bytes[end] == UInt8(ascii: "]") { break }
                guard bytes[end] == UInt8(ascii: ",") else { return nil }
            }
            index -= 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "]") else { return nil }
        prefix = Array(bytes[..<start])
        suffix = Array(bytes[index...])
        self.elements = elements
    }

    /// The answer's bytes, with the results as they are now.
    package var body: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(prefix.count + suffix.count + elements.reduce(elements.count) { $0 + $1.bytes.count })
        buffer.writeBytes(prefix)
        for (index, element) in elements.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeBytes(element.bytes)
        }
        buffer.writeBytes(suffix)
        return buffer
    }

    private static let quote = UInt8(ascii: "\"")

    /// The index just past the JSON value starting at `start` (an object, array, string or
    /// scalar), or nil where the bytes end first.
    private static func valueEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        var depth = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == quote {
                    inString = false
                    if depth == 0 { return index + 1 }
                }
            } else {
                switch byte {
                case quote: inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return index }
                    depth -= 1
                    if depth == 0 { return index + 1 }
                case UInt8(ascii: ","):
                    if depth == 0 { return index }
                default: break
                }
            }
            index += 1
        }
        return depth == 0 && !inString ? index : nil
    }

    /// An object's members: each key (without escapes) and the range of its value.
    private static func members(of bytes: [UInt8]) -> [String: Range<Int>]? {
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var members: [String: Range<Int>] = [:]
        var index = 1
        while index < bytes.count - 1 {
            guard bytes[index] == quote, let close = bytes[(index + 1)...].firstIndex(of: quote),
                close + 1 < bytes.count, bytes[close + 1] == UInt8(ascii: ":")
            else { return nil }
            let key = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
            guard !key.utf8.contains(UInt8(ascii: "\\")), let end = valueEnd(bytes, from: close + 2) else { return nil }
            members[key] = (close + 2)..<end
            index = end
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { break }
            index += 1
        }
        return members
    }

    /// A non-negative integer that fits an int4, digits only.
    private static func integer(_ digits: ArraySlice<UInt8>) -> Int32? {
        guard !digits.isEmpty, digits.count <= 10,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int32(String(decoding: digits, as: UTF8.self))
    }
}
