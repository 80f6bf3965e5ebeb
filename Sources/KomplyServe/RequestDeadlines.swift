import Foundation
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow: the request header (and a kept-alive connection's next
/// one) must be complete within the header timeout, and the body within the body timeout of the header.
/// Each limit is a deadline, not an idle timer, so a client trickling a header line a second (slowloris) is
/// closed as surely as a silent one. One per connection; it sits after the HTTP decoder and adds a byte
/// watcher in front of it to tell a stalled header from an idle connection.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Which deadline closed a connection.
    enum Phase: Sendable {
        /// Part of a request header arrived, but not all of it, in time.
        case header
        /// The header arrived, the body did not finish in time.
        case body
        /// Nothing arrived in time (a kept-alive or silent connection); closed without a log line.
        case idle
    }

    /// Called on the event loop when a deadline closes a connection, with the client's address.
    typealias Report = @Sendable (_ phase: Phase, _ client: String) -> Void

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private let report: Report
    private var timer: Scheduled<Void>?
    /// True between a request's head and its end.
    private var readingBody = false
    /// Requests whose head was read and whose response has not ended.
    private var unanswered = 0
    /// Bytes arrived since the header deadline was set.
    private var headerStarted = false

    /// A handler with the two limits; `report` hears of each connection it closes.
    init(headerTimeout: Duration, bodyTimeout: Duration, report: @escaping Report) {
        self.headerTimeout = .nanoseconds(Self.nanoseconds(headerTimeout))
        self.bodyTimeout = .nanoseconds(Self.nanoseconds(bodyTimeout))
        self.report = report
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The watcher sees raw bytes, before the decoder turns them into a head.
        try? context.pipeline.syncOperations.addHandler(ByteWatcher(owner: self), position: .first)
        if context.channel.isActive { arm(.header, context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil { arm(.header, context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingBody = true
            arm(.body, context)
        case .body:
            break
        case .end:
            readingBody = false
            cancel()
            // An early answer (413) may already have ended; the connection then waits for the next header.
            if unanswered == 0 { arm(.header, context) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            if !readingBody && unanswered == 0 { arm(.header, context) }
        }
        context.write(data, promise: promise)
    }

    /// Called by the watcher for every chunk of bytes read.
    fileprivate func bytesArrived() {
        if !readingBody && unanswered == 0 { headerStarted = true }
    }
}

private extension RequestDeadlineHandler {
    /// Passes bytes on unchanged, telling the deadline handler that some arrived.
    final class ByteWatcher: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer

        private weak var owner: RequestDeadlineHandler?

        init(owner: RequestDeadlineHandler) {
            self.owner = owner
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            owner?.bytesArrived()
            context.fireChannelRead(data)
        }
    }

    func arm(_ phase: Phase, _ context: ChannelHandlerContext) {
        cancel()
        if phase == .header { headerStarted = false }
        let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
        timer = loop.scheduleTask(in: phase == .body ? bodyTimeout : headerTimeout) {
            self.timer = nil
            let closing: Phase = phase == .body ? .body : (self.headerStarted ? .header : .idle)
            self.report(closing, context.channel.remoteAddress.map(Self.describe) ?? "an unknown client")
            context.close(promise: nil)
        }
    }

    func cancel() {
        timer?.cancel()
        timer = nil
    }

    /// `127.0.0.1:53124` or `[::1]:53124`.
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress else { return "\(address)" }
        let port = address.port.map { ":\($0)" } ?? ""
        return (ip.contains(":") ? "[\(ip)]" : ip) + port
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}

@available(*, unavailable)
extension RequestDeadlineHandler: Sendable {}
