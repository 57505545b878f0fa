import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1 child channel with a `CacheHitHandler` between its connection-state
/// handler and its responder, so that cache hits are answered before the responder and the
/// connection state still sees every request.
struct CacheHitChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let hits: CacheHitResponder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let state = try operations.handler(type: HTTPConnectionStateHandler.self)
            try operations.addHandler(CacheHitHandler(responder: hits), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with `configuration`, cache hits answered by `hits` before the responder.
    static func http1(configuration: HTTP1Channel.Configuration, hits: CacheHitResponder) -> HTTPServerBuilder {
        .init { responder in
            CacheHitChannel(base: HTTP1Channel(responder: responder, configuration: configuration), hits: hits)
        }
    }
}
