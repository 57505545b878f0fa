/// An id a client names, in the path or the query string: a positive integer that fits the
/// `integer` id columns (1 to 2,147,483,647, the data contract's id range). Anything else is a 422
/// in the legacy service's words, `invalid product_id provided` (a path id turns that into a 404).
enum RowID {
    static func parse(_ text: String?, name: String) throws(APIError) -> Int32 {
        guard let text else { throw .invalid("\(name) is required") }
        guard let value = PositiveInteger(text)?.value, value <= Int(Int32.max) else {
            throw .invalid("invalid \(name) provided")
        }
        return Int32(value)
    }
}
