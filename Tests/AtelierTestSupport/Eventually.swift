import Foundation

/// Waits up to `seconds` for `condition`; false if it never held. The default leaves room for a
/// busy machine running the whole suite at once (a listener connecting, a server starting).
public func eventually(within seconds: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
