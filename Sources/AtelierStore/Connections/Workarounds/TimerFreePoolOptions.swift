import PostgresNIO

/// The pool options under which a connection going back to the pool starts no timer: all
/// `poolSize` connections kept open (`minimumConnections` = `maximumConnections`) and no
/// keep-alive.
///
/// postgres-nio starts an idle timer and a keep-alive timer each time a connection goes back
/// to the pool unused, and a cancelled timer's task stays in memory until its time would have
/// come, so memory grows with the rate of releases. It does not promise that a connection
/// within the minimum gets no idle timer; `PostgresNIOAssumptionTests` checks that releases
/// under these options leave memory flat while the default options do not, so an upgrade
/// shows whether the options are still needed (`make bench-memory` watches the server).
package enum TimerFreePoolOptions {
    package static func apply(to options: inout PostgresClient.Configuration.Options, poolSize: Int) {
        options.maximumConnections = max(1, poolSize)
        options.minimumConnections = max(1, poolSize)
        options.keepAliveBehavior = nil
    }
}
