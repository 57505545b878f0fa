#if canImport(Glibc)
    import CMalloc
#endif
import AtelierStore
import NIOCore
import ServiceLifecycle

/// Keeps the server's resident memory near what it holds. The response cache frees and
/// allocates answers all the time (every write drops some), and glibc's allocator keeps freed
/// memory in per-thread arenas, so the RSS would keep rising with the cache at its budget.
/// Returning free pages to the system every few seconds holds it flat (`make soak` and
/// `make bench-memory` check it), and an arena per thread that answers requests bounds how
/// many arenas keep freed memory between trims.
public struct MemoryTrimmer: Service {
    let interval: Duration
    let clock: AnyClock

    public init(interval: Duration = .seconds(5), clock: AnyClock = .continuous) {
        self.interval = interval
        self.clock = clock
    }

    /// Limits the allocator's arenas to one per thread that answers requests: NIO's event loops
    /// and Swift concurrency's threads, one of each per core. Fewer arenas than those threads
    /// make them wait on each other's arena locks for every allocation. Call first thing in
    /// `main`, before threads exist.
    public static func limitArenas() {
        #if canImport(Glibc)
            _ = mallopt(M_ARENA_MAX, Int32(2 * System.coreCount))
        #endif
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await clock.sleep(for: interval)
                #if canImport(Glibc)
                    _ = malloc_trim(0)
                #endif
            }
        }
    }
}
