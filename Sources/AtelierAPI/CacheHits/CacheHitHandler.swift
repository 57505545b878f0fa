import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers a request the response cache holds (`CacheHitResponder`) on the connection's event
/// loop as soon as its head is read, so that a hit costs no asynchronous task switch; every
/// other request goes on to Hummingbird's responder unchanged.
///
/// It sits after Hummingbird's `HTTPConnectionStateHandler`, which thus sees every request and
/// answer (idle timeout, graceful shutdown). Answers leave in the order requests came: while a
/// request passed on has not been answered in full, every later one is passed on too, so a
/// pipelined hit never overtakes a slower request before it.
final class CacheHitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let responder: CacheHitResponder
    private var date = HTTPDate()
    /// Requests passed on whose answer has not ended yet.
    private var unanswered = 0
    /// Whether the rest of the request being read (body, end) belongs to an answered hit.
    private var answeredRequest = false

    init(responder: CacheHitResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            let start = ContinuousClock.now
            if unanswered == 0, let answer = responder.answer(request, date: date.now()) {
                answeredRequest = true
                context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
                if let body = answer.body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                responder.answered(answer, after: ContinuousClock.now - start)
                return
            }
            answeredRequest = false
            unanswered += 1
            context.fireChannelRead(data)
        case .body, .end:
            if !answeredRequest { context.fireChannelRead(data) }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A parse error is answered with no request passed on; the connection then closes.
        if case .end = unwrapOutboundIn(data), unanswered > 0 { unanswered -= 1 }
        context.write(data, promise: promise)
    }
}
