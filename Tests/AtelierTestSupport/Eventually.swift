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

/// The value of `body`, or nil when it takes longer than `seconds`. `body` is then cancelled
/// but not awaited: what is tested may ignore cancellation (a lease waiting for a connection).
public func firstWithin<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws
    -> T?
{
    let outcome = Shared<Result<T, any Error>?>(nil)
    let work = Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.update { $0 = result }
    }
    _ = await eventually(within: seconds) { outcome.update { $0 != nil } }
    work.cancel()
    return try outcome.update { $0 }?.get()
}
