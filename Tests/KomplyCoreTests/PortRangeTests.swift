import KomplyCore
import XCTest

final class PortRangeTests: XCTestCase {
    func testSinglePortIsTCP() throws {
        let range = try XCTUnwrap(PortRange(parsing: "80"))
        XCTAssertEqual(range.start, 80)
        XCTAssertEqual(range.end, 80)
        XCTAssertEqual(range.protocol, "tcp")
        XCTAssertEqual(Array(range.ports), [80])
        XCTAssertEqual(range.description, "80")
    }

    func testRangeListsEveryPort() throws {
        let range = try XCTUnwrap(PortRange(parsing: "8000-8003"))
        XCTAssertEqual(range.start, 8000)
        XCTAssertEqual(range.end, 8003)
        XCTAssertEqual(Array(range.ports), [8000, 8001, 8002, 8003])
    }

    func testProtocolIsReadAndLowercased() throws {
        XCTAssertEqual(PortRange(parsing: "53/udp")?.protocol, "udp")
        XCTAssertEqual(PortRange(parsing: "5000-5001/SCTP")?.protocol, "sctp")
        XCTAssertEqual(PortRange(parsing: "8080/tcp")?.protocol, "tcp")
    }

    func testDescriptionKeepsTheSpelling() {
        // The canonical compose model prints `expose` as the user wrote it.
        XCTAssertEqual(PortRange(parsing: "8080/tcp")?.description, "8080/tcp")
        XCTAssertEqual(PortRange(parsing: "53/udp")?.description, "53/udp")
        XCTAssertEqual(PortRange(start: 53, protocol: "udp")?.description, "53/udp")
        XCTAssertEqual(PortRange(start: 8000, end: 8010)?.description, "8000-8010")
        XCTAssertEqual(PortRange(start: 5432)?.description, "5432")
    }

    func testBadInputIsRefused() {
        for text in [
            "", "http", "80a", "-80", "80-", "8010-8000", "65536", "1-70000", "80/icmp", "80/", "/udp", "80:80", "80-81-82",
            "80/tcp/udp", " 80",
        ] {
            XCTAssertNil(PortRange(parsing: text), "\"\(text)\" should not parse")
        }
        XCTAssertNil(PortRange(start: -1))
        XCTAssertNil(PortRange(start: 90, end: 80))
        XCTAssertNil(PortRange(start: 80, protocol: "icmp"))
    }

    func testEdgesOfThePortSpaceParse() {
        XCTAssertEqual(PortRange(parsing: "0")?.start, 0)
        XCTAssertEqual(PortRange(parsing: "65535")?.end, 65535)
        XCTAssertEqual(PortRange(parsing: "1-65535")?.ports.count, 65535)
    }

    func testStringLiteralsParse() {
        let range: PortRange = "9000-9001/udp"
        XCTAssertEqual(range, PortRange(parsing: "9000-9001/udp"))
    }
}
