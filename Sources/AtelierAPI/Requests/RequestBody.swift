import AtelierStore
import Foundation
import Hummingbird

/// A POST body: JSON, at most 64 KiB, read whole and then checked one field at a time. Each
/// accessor throws a 422 that names the field and says what it must be.
struct RequestBody: Sendable {
    static let maximumSize = 64 * 1024

    let fields: [String: JSONValue]

    /// Reads and parses the body: 413 past 64 KiB, 400 when it is not JSON, 422 when it is
    /// JSON but not an object.
    static func read(_ request: Request) async throws -> RequestBody {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumSize {
            throw APIError.bodyTooLarge
        }
        let buffer = try await request.body.collect(upTo: maximumSize)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, "the request body is not valid JSON")
        }
        guard case .object(let fields) = value else { throw APIError.invalid("the request body must be a JSON object") }
        return RequestBody(fields: fields)
    }

    /// A required integer within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let field = fields[name], field != .null else { throw .invalid("\(name) is required") }
        guard let value = field.integerValue, range.contains(value) else {
            throw .invalid("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A required id of a parent row.
    func id(_ name: String) throws(APIError) -> Int32 {
        Int32(try integer(name, in: 1...Int(Int32.max)))
    }

    /// A required boolean.
    func bool(_ name: String) throws(APIError) -> Bool {
        guard let field = fields[name], field != .null else { throw .invalid("\(name) is required") }
        guard case .bool(let value) = field else { throw .invalid("\(name) must be true or false") }
        return value
    }

    /// A string of `length` characters (Unicode scalars, as PostgreSQL counts them) without NUL
    /// or control characters (`multiline`: tabs and line breaks allowed); when `fallback` is
    /// given the field may be left out and takes that value.
    func text(_ name: String, length: ClosedRange<Int>, multiline: Bool = false, fallback: String? = nil)
        throws(APIError) -> String
    {
        guard let field = fields[name], field != .null else {
            if let fallback { return fallback }
            throw .invalid("\(name) is required")
        }
        guard case .string(let value) = field else { throw .invalid("\(name) must be a string") }
        try FieldRules.checkText(value, name: name, length: length, multiline: multiline)
        return value
    }

    /// A required email address of at most 60 characters.
    func email(_ name: String) throws(APIError) -> String {
        let value = try text(name, length: 1...FieldRules.maximumEmailLength)
        guard FieldRules.isEmailAddress(value) else { throw .invalid("\(name) must be a valid email address") }
        return value
    }

    /// An optional list of at most `maximum` http(s) URLs (`[]` when left out).
    func urls(_ name: String, maximum: Int) throws(APIError) -> [String] {
        guard let field = fields[name], field != .null else { return [] }
        guard case .array(let items) = field, items.count <= maximum else {
            throw .invalid("\(name) must be a list of at most \(maximum) URLs")
        }
        var urls: [String] = []
        for item in items {
            guard case .string(let url) = item, FieldRules.isWebURL(url) else {
                throw .invalid(
                    "\(name) must hold http or https URLs of at most \(FieldRules.maximumURLLength) characters")
            }
            urls.append(url)
        }
        return urls
    }

    /// An optional object of id → integer in `values`, e.g. characteristic ratings
    /// (`{"14": 5}`); `[:]` when left out.
    func ratings(_ name: String, values: ClosedRange<Int>, maximumCount: Int) throws(APIError) -> [Int32: Int16] {
        guard let field = fields[name], field != .null else { return [:] }
        guard case .object(let entries) = field, entries.count <= maximumCount else {
            throw .invalid("\(name) must be an object of at most \(maximumCount) id: rating entries")
        }
        var ratings: [Int32: Int16] = [:]
        for (key, value) in entries {
            guard let id = PositiveInteger(key)?.value, id <= Int(Int32.max) else {
                throw .invalid("\(name) keys must be ids, not \"\(key.prefix(20))\"")
            }
            guard let rating = value.integerValue, values.contains(rating) else {
                throw .invalid("\(name) values must be integers from \(values.lowerBound) to \(values.upperBound)")
            }
            ratings[Int32(id)] = Int16(rating)
        }
        return ratings
    }
}
