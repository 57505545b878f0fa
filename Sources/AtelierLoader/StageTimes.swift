#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// Where one file's staging spent its time, in seconds: the server's steps as wall time on the
/// file's connection, and the CPU time of the thread that read, cleaned and encoded it.
public struct StageTimes: Sendable, Equatable {
    /// Waiting for a parent's ids and a free connection, from the start of staging.
    public var waited = 0.0
    /// The COPY, from its first chunk to the server's acknowledgement.
    public var copy = 0.0
    /// The primary key and the secondary indexes.
    public var keys = 0.0
    /// The foreign keys among the run's staged tables.
    public var foreignKeys = 0.0
    /// ANALYZE, triggers, grants and the commit.
    public var finish = 0.0
    /// CPU time of the encoding thread.
    public var encodingCPU = 0.0

    public init() {}

    struct Entry: Encodable {
        let waited, copy, keys, foreignKeys, finish, encodingCPU: Double

        init(_ times: StageTimes) {
            func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
            waited = rounded(times.waited)
            copy = rounded(times.copy)
            keys = rounded(times.keys)
            foreignKeys = rounded(times.foreignKeys)
            finish = rounded(times.finish)
            encodingCPU = rounded(times.encodingCPU)
        }

        enum CodingKeys: String, CodingKey {
            case waited, copy, keys, finish
            case foreignKeys = "foreign_keys", encodingCPU = "encoding_cpu"
        }
    }

    /// The CPU time the calling thread has used so far.
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
