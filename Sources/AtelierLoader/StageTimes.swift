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
    /// ANALYZE.
    public var analyze = 0.0
    /// The change triggers, grants and the commit (which writes the new files to disk).
    public var commit = 0.0
    /// CPU time of the encoding thread.
    public var encodingCPU = 0.0

    public init() {}

    struct Entry: Encodable {
        let waited, copy, keys, analyze, commit, encodingCPU: Double

        init(_ times: StageTimes) {
            func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
            waited = rounded(times.waited)
            copy = rounded(times.copy)
            keys = rounded(times.keys)
            analyze = rounded(times.analyze)
            commit = rounded(times.commit)
            encodingCPU = rounded(times.encodingCPU)
        }

        enum CodingKeys: String, CodingKey {
            case waited, copy, keys, analyze, commit
            case encodingCPU = "encoding_cpu"
        }
    }

    /// The CPU time the calling thread has used so far.
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
