import Foundation

/// A JSON request body from a dictionary written in a test.
public func jsonBody(_ fields: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
}
