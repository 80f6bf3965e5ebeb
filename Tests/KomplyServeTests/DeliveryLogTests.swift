import XCTest

@testable import KomplyServe

/// The bounded memory of delivery ids that turns replays into no-ops.
final class DeliveryLogTests: XCTestCase {
    func testClaimOnceThenReplay() async {
        let log = DeliveryLog(capacity: 10)
        let first = await log.claim("72d3162e-cc78-11e3-81ab-4c9367dc0958")
        let again = await log.claim("72d3162e-cc78-11e3-81ab-4c9367dc0958")
        XCTAssertTrue(first)
        XCTAssertFalse(again)
    }

    func testReleasedIdMayBeClaimedAgain() async {
        let log = DeliveryLog(capacity: 10)
        _ = await log.claim("a")
        await log.release("a")
        let redelivery = await log.claim("a")
        XCTAssertTrue(redelivery, "a refused delivery can be redelivered with the same id")
    }

    func testOldestIdIsForgottenPastCapacity() async {
        let log = DeliveryLog(capacity: 3)
        for id in ["a", "b", "c", "d"] { _ = await log.claim(id) }
        let count = await log.count
        XCTAssertEqual(count, 3)
        let a = await log.claim("a")
        let d = await log.claim("d")
        XCTAssertTrue(a, "the oldest id was evicted")
        XCTAssertFalse(d, "the newest is still remembered")
    }

    func testStaysBoundedUnderChurnWithReleases() async {
        let log = DeliveryLog(capacity: 50)
        for index in 0..<5_000 {
            _ = await log.claim("id-\(index)")
            if index % 3 == 0 { await log.release("id-\(index)") }
            // A released id claimed again must not be evicted early by its stale first entry.
            if index % 7 == 0 { _ = await log.claim("id-\(index)") }
        }
        let count = await log.count
        XCTAssertLessThanOrEqual(count, 50)
        let recent = await log.claim("id-4999")
        XCTAssertFalse(recent)
    }
}
