import Foundation
import XCTest

@testable import KomplyServe

/// What each kind of delivery is answered, without the network.
final class WebhookHandlerTests: XCTestCase {
    func makeHandler(capacity: Int = 4, repositories: Set<String>? = nil) -> (WebhookHandler, JobQueue, DeliveryLog, ServeMetrics, LogLines)
    {
        let configuration = ServeConfiguration(secret: ServeTestSupport.secret, queueCapacity: capacity, repositories: repositories)
        let (queue, deliveries, metrics, log) = (JobQueue(capacity: capacity), DeliveryLog(), ServeMetrics(), LogLines())
        let handler = WebhookHandler(configuration: configuration, deliveries: deliveries, queue: queue, metrics: metrics, log: log.append)
        return (handler, queue, deliveries, metrics, log)
    }

    func testPushIsAcceptedAndQueued() async {
        let (handler, queue, _, metrics, log) = makeHandler()
        let body = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(1))
        let reply = await handler.handle(headers: ServeTestSupport.headers(delivery: "d1", body: body), body: body)
        XCTAssertEqual(reply.status, 202)
        XCTAssertEqual(reply.body, "accepted: acme/shop main at 000000000000, queued, 1 waiting\n")
        let (pending, accepted) = (await queue.pending, await metrics.count(.accepted))
        XCTAssertEqual(pending.map(\.commit), [ServeTestSupport.commit(1)])
        XCTAssertEqual(accepted, 1)
        XCTAssertEqual(log.lines, ["delivery d1 push acme/shop main at 000000000000: accepted, queued, 1 waiting"])
    }

    func testBadSignatureIsUnauthorizedWithoutDetails() async {
        let (handler, queue, deliveries, metrics, log) = makeHandler()
        let body = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(1))
        for headers in [
            ServeTestSupport.headers(delivery: "d1", body: body, secret: "wrong"),
            ServeTestSupport.headers(delivery: "d1", body: Data("other".utf8)),
            ServeTestSupport.headers(delivery: "d1", body: body).filter { $0.key != "x-hub-signature-256" },
        ] {
            let reply = await handler.handle(headers: headers, body: body)
            XCTAssertEqual(reply, WebhookReply(status: 401, "unauthorized"))
        }
        let (depth, remembered, unauthorized) = (await queue.depth, await deliveries.count, await metrics.count(.unauthorized))
        XCTAssertEqual(depth, 0)
        XCTAssertEqual(remembered, 0, "an unsigned request cannot burn a delivery id")
        XCTAssertEqual(unauthorized, 3)
        XCTAssertFalse(log.lines.joined().contains(ServeTestSupport.secret))
    }

    func testPingAndOtherEventsDoNoWork() async {
        let (handler, queue, _, metrics, _) = makeHandler()
        let body = Data(#"{"zen":"Design for failure.","hook_id":1}"#.utf8)
        let ping = await handler.handle(headers: ServeTestSupport.headers(event: "ping", body: body), body: body)
        let issues = await handler.handle(headers: ServeTestSupport.headers(event: "issues", body: body), body: body)
        XCTAssertEqual(ping.status, 200)
        XCTAssertTrue(ping.body.hasPrefix("pong"))
        XCTAssertEqual(issues, WebhookReply(status: 200, "ignored: komply acts on push events, not issues"))
        let (depth, ignored) = (await queue.depth, await metrics.count(.ignored))
        XCTAssertEqual(depth, 0)
        XCTAssertEqual(ignored, 2)
    }

    func testReplayedDeliveryIsIgnored() async {
        let (handler, queue, _, metrics, _) = makeHandler()
        let body = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(1))
        let headers = ServeTestSupport.headers(delivery: "same", body: body)
        _ = await handler.handle(headers: headers, body: body)
        _ = await JobQueueTests.next(queue)
        await queue.finish()
        let replay = await handler.handle(headers: headers, body: body)
        XCTAssertEqual(replay, WebhookReply(status: 200, "duplicate delivery ignored"))
        let (depth, duplicates) = (await queue.depth, await metrics.count(.duplicate))
        XCTAssertEqual(depth, 0, "a replay queues nothing")
        XCTAssertEqual(duplicates, 1)
    }

    func testMalformedPayloadIsBadRequestAndMayBeRedelivered() async {
        let (handler, _, _, metrics, _) = makeHandler()
        let bad = Data(#"{"ref": "refs/heads/main""#.utf8)
        let reply = await handler.handle(headers: ServeTestSupport.headers(delivery: "d9", body: bad), body: bad)
        XCTAssertEqual(reply.status, 400)
        XCTAssertTrue(reply.body.hasPrefix("malformed webhook payload: not valid JSON"), reply.body)
        let good = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(2))
        let fixed = await handler.handle(headers: ServeTestSupport.headers(delivery: "d9", body: good), body: good)
        XCTAssertEqual(fixed.status, 202, "the id of a refused delivery is not remembered")
        let rejected = await metrics.count(.rejected)
        XCTAssertEqual(rejected, 1)
    }

    func testAnOverlongRefIsRefusedWith400AndLogged() async {
        let (handler, queue, _, _, log) = makeHandler()
        let body = ServeTestSupport.push(branch: String(repeating: "x", count: 5000), commit: ServeTestSupport.commit(3))
        let reply = await handler.handle(headers: ServeTestSupport.headers(delivery: "long-ref", body: body), body: body)
        XCTAssertEqual(reply.status, 400)
        XCTAssertTrue(reply.body.contains("(5011 bytes); expected a ref of at most 255 bytes"), reply.body)
        let pending = await queue.pending
        XCTAssertEqual(pending.count, 0)
        XCTAssertEqual(log.lines.count, 1)
        XCTAssertTrue(log.lines[0].hasPrefix("delivery long-ref push: refused, payload field ref is \"refs/heads/xxx"), log.lines[0])
        XCTAssertLessThan(log.lines[0].count, 300, "the log line carries 80 characters of the ref, not 5000")
    }

    func testMissingEventOrDeliveryHeaderIsBadRequest() async {
        let (handler, _, _, _, _) = makeHandler()
        let body = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(1))
        var headers = ServeTestSupport.headers(body: body)
        headers["x-github-event"] = nil
        let noEvent = await handler.handle(headers: headers, body: body)
        XCTAssertEqual(noEvent.status, 400)
        XCTAssertTrue(noEvent.body.contains("X-GitHub-Event"), noEvent.body)
        headers = ServeTestSupport.headers(body: body)
        headers["x-github-delivery"] = nil
        let noDelivery = await handler.handle(headers: headers, body: body)
        XCTAssertEqual(noDelivery.status, 400)
        XCTAssertTrue(noDelivery.body.contains("X-GitHub-Delivery"), noDelivery.body)
    }

    func testGiteaHeadersAreEnough() async {
        let (handler, _, _, _, _) = makeHandler()
        let body = ServeTestSupport.push(branch: "develop", commit: ServeTestSupport.commit(3))
        let headers = [
            "x-gitea-event": "push", "x-gitea-delivery": "0b2d1a0c-1111-2222-3333-444455556666",
            "x-gitea-signature": SHA256Hex.hmac(ServeTestSupport.secret, body),
        ]
        let reply = await handler.handle(headers: headers, body: body)
        XCTAssertEqual(reply.status, 202, reply.body)
    }

    func testFullQueueAnswers503WithRetryAfterAndForgetsTheId() async {
        let (handler, _, _, _, _) = makeHandler(capacity: 1)
        let first = ServeTestSupport.push(branch: "a", commit: ServeTestSupport.commit(1))
        let second = ServeTestSupport.push(branch: "b", commit: ServeTestSupport.commit(2))
        _ = await handler.handle(headers: ServeTestSupport.headers(body: first), body: first)
        let headers = ServeTestSupport.headers(delivery: "later", body: second)
        let refused = await handler.handle(headers: headers, body: second)
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.retryAfter, 30)
        XCTAssertTrue(refused.body.contains("queue is full"), refused.body)
        let again = await handler.handle(headers: headers, body: second)
        XCTAssertEqual(again.status, 503, "a redelivery is tried again, not taken for a replay")
    }

    func testOtherRepositoriesAreIgnored() async {
        let (handler, queue, _, _, _) = makeHandler(repositories: ["Acme/Shop"])
        let other = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(1), repository: "evil/fork")
        let mine = ServeTestSupport.push(branch: "main", commit: ServeTestSupport.commit(2), repository: "acme/shop")
        let ignored = await handler.handle(headers: ServeTestSupport.headers(body: other), body: other)
        let accepted = await handler.handle(headers: ServeTestSupport.headers(body: mine), body: mine)
        XCTAssertEqual(ignored, WebhookReply(status: 200, "ignored: evil/fork is not a repository this server regenerates"))
        XCTAssertEqual(accepted.status, 202)
        let depth = await queue.depth
        XCTAssertEqual(depth, 1)
    }
}

/// The Gitea signature form: bare hex.
enum SHA256Hex {
    static func hmac(_ secret: String, _ body: Data) -> String {
        String(WebhookSignature(secret: secret).sign(body).dropFirst("sha256=".count))
    }
}
