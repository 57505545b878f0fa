import Foundation

/// Blocking work started on a thread of its own while the test goes on; `value()` waits for
/// its result (a synchronous test's counterpart of `blocking`).
public final class BackgroundWork<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the thread before `done` is signalled, read only after it.
    private var result: Result<T, any Error> = .failure(CancellationError())

    public init(_ work: @escaping @Sendable () throws -> T) {
        Thread {
            self.result = Result { try work() }
            self.done.signal()
        }.start()
    }

    /// Waits for the work to end; its result, or its error thrown.
    public func value() throws -> T {
        done.wait()
        done.signal()
        return try result.get()
    }
}
