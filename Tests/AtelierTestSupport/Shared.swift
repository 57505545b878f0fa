import Synchronization

/// A value several tasks or threads read and change, under a lock.
public final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    public init(_ value: Value) { state = Mutex(value) }

    public var value: Value { state.withLock { $0 } }

    public func update<Result>(_ change: (inout Value) -> Result) -> Result {
        state.withLock { value in change(&value) }
    }
}
