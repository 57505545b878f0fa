import Foundation

/// Runs blocking work (a child process, pg_ctl, a synchronous libpq call) on a thread of its
/// own and awaits its result. Swift concurrency runs every test's async work on as many threads
/// as there are cores (two here): a test that blocks one of them for seconds starves the others'
/// servers, which then miss their deadlines.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
