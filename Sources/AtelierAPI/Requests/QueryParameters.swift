import AtelierStore
import Hummingbird
import HummingbirdCore

/// A request's query string, parsed once: Hummingbird parses it anew on every read of
/// `uri.queryParameters`, and a route reads up to four parameters.
struct QueryParameters {
    private let parameters: Parameters

    init(_ request: Request) {
        self.init(request.uri)
    }

    init(_ uri: URI) {
        parameters = uri.queryParameters
    }

    /// The value of `name`; nil when the query does not name it.
    subscript(_ name: String) -> String? { parameters.get(name) }

    /// A required id, e.g. `product_id`.
    func id(_ name: String) throws(APIError) -> Int32 {
        try RowID.parse(self[name], name: name)
    }

    /// `page` and `count`.
    func page() throws(APIError) -> Page {
        try Page(page: self["page"], count: self["count"])
    }
}
