import KomplyCore
import XCTest

/// The one DNS-1123 label maker the generator's names and the history's app keys share.
final class DNSLabelTests: XCTestCase {
    func testNamesBecomeLabels() {
        XCTAssertEqual(DNSLabel.make("My_Shop"), "my-shop")
        XCTAssertEqual(DNSLabel.make("--web__frontend--"), "web-frontend")
        XCTAssertEqual(DNSLabel.make("é漢字"), "")
        XCTAssertEqual(DNSLabel.make(String(repeating: "a", count: 62) + "-b"), String(repeating: "a", count: 62))
        XCTAssertEqual(DNSLabel.make("abc-def", maxLength: 4), "abc")
    }

    func testValidLabelsAreRecognisedAsTheyStand() {
        XCTAssertTrue(DNSLabel.isValid("shop-prod"))
        XCTAssertTrue(DNSLabel.isValid("a--b"))
        XCTAssertFalse(DNSLabel.isValid("-shop"))
        XCTAssertFalse(DNSLabel.isValid("Shop"))
        XCTAssertFalse(DNSLabel.isValid(String(repeating: "a", count: 64)))
        XCTAssertFalse(DNSLabel.isValid(""))
    }
}
