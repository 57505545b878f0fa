import Hummingbird

extension Parameters {
    /// An id from the route's path, e.g. `:product_id`. One that is not a positive integer
    /// names nothing: 404, as the legacy service answered (`/products/hello`).
    func pathID(_ name: String) throws(APIError) -> Int32 {
        let text = self.get(name)
        do {
            return try RowID.parse(text, name: name)
        } catch {
            throw .notFound("\(name) '\(String((text ?? "").prefix(40)))' names nothing")
        }
    }
}

extension RequestContext {
    /// The id `name` from the route's path (`Parameters.pathID(_:)`).
    func pathID(_ name: String) throws(APIError) -> Int32 {
        try parameters.pathID(name)
    }
}
