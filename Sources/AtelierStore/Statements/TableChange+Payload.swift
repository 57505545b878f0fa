import AtelierCatalog

extension TableChange {
    /// The triggers' JSON payload (`Schema.changeChannel`), read in one pass over its bytes: a
    /// vote's notification is read by every server, and a general JSON decoder costs a vote more
    /// than all the cache work it triggers. Reads an object whose members are `table` (a
    /// string), `products` and `questions` (null or arrays of integers), `columns` (null or
    /// an array of strings) and `counts` (null or an array of row, product and value triples,
    /// flattened), in any order, with any JSON whitespace; nil for anything else (an
    /// escape in a string, an unknown member, trailing bytes), which the caller treats as a
    /// change to everything.
    struct Payload {
        var table: String?
        var products: [Int32]?
        var questions: [Int32]?
        var columns: [String]?
        var counts: [TableChange.Count]?
    }

    /// A cursor over the payload's bytes; every method returns nil where the grammar breaks.
    fileprivate struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func payload() -> Payload? {
            var payload = Payload()
            guard take(UInt8(ascii: "{")) else { return nil }
            if !take(UInt8(ascii: "}")) {
                repeat {
                    guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
                    switch key {
                    case "table":
                        guard let table = string() else { return nil }
                        payload.table = table
                    case "products":
                        guard let ids = nullable({ $0.integers() }) else { return nil }
                        payload.products = ids
                    case "questions":
                        guard let ids = nullable({ $0.integers() }) else { return nil }
                        payload.questions = ids
                    case "columns":
                        guard let names = nullable({ $0.strings() }) else { return nil }
                        payload.columns = names
                    case "counts":
                        guard let flat = nullable({ $0.integers() }), (flat?.count ?? 0) % 3 == 0 else { return nil }
                        payload.counts = flat.map { flat in
                            stride(from: 0, to: flat.count, by: 3).map {
                                TableChange.Count(row: flat[$0], product: flat[$0 + 1], value: flat[$0 + 2])
                            }
                        }
                    default: return nil
                    }
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return nil }
            }
            skipSpace()
            return index == bytes.count ? payload : nil
        }

        /// `null` (.some(nil)) or what `value` reads (.some); nil when neither is there.
        private mutating func nullable<T>(_ value: (inout Reader) -> T?) -> T?? {
            skipSpace()
            if bytes[index...].starts(with: "null".utf8) {
                index += 4
                return .some(nil)
            }
            return value(&self).map { .some($0) }
        }

        /// `[1,2,3]`: integers that fit an int4.
        private mutating func integers() -> [Int32]? {
            list { reader in
                reader.skipSpace()
                var value: Int64 = 0
                var negative = false
                if reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "-") {
                    negative = true
                    reader.index += 1
                }
                let start = reader.index
                while reader.index < reader.bytes.count, reader.index - start < 11,
                    case let digit = reader.bytes[reader.index], digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9")
                {
                    value = value * 10 + Int64(digit - UInt8(ascii: "0"))
                    reader.index += 1
                }
                guard reader.index > start else { return nil }
                return Int32(exactly: negative ? -value : value)
            }
        }

        /// `["a","b"]`.
        private mutating func strings() -> [String]? {
            list { $0.string() }
        }

        /// A JSON array of what `element` reads.
        private mutating func list<T>(_ element: (inout Reader) -> T?) -> [T]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var values: [T] = []
            if take(UInt8(ascii: "]")) { return values }
            repeat {
                guard let value = element(&self) else { return nil }
                values.append(value)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? values : nil
        }

        /// A string without escapes (names of tables and columns have none).
        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                guard bytes[index] != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        /// Skips whitespace, then consumes `byte` if it is next.
        private mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipSpace() {
            while index < bytes.count,
                bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\n")
                    || bytes[index] == UInt8(ascii: "\t") || bytes[index] == UInt8(ascii: "\r")
            {
                index += 1
            }
        }
    }
}

extension TableChange.Payload {
    /// The payload `text` holds, or nil when it cannot be read in full.
    init?(_ text: String) {
        var text = text
        guard
            let read = text.withUTF8({ bytes in
                var reader = TableChange.Reader(bytes: bytes)
                return reader.payload()
            })
        else { return nil }
        self = read
    }
}
