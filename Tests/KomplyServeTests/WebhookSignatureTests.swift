import Foundation
import XCTest

@testable import KomplyServe

/// HMAC-SHA256 delivery signatures as GitHub and Gitea send them.
final class WebhookSignatureTests: XCTestCase {
    /// GitHub's documented test vector (docs: "Validating webhook deliveries").
    static let secret = "It's a Secret to Everybody"
    static let payload = Data("Hello, World!".utf8)
    static let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    let verifier = WebhookSignature(secret: WebhookSignatureTests.secret)

    func testGitHubTestVectorIsAccepted() {
        XCTAssertEqual(verifier.sign(Self.payload), Self.expected)
        XCTAssertTrue(verifier.isValid(body: Self.payload, headers: ["x-hub-signature-256": Self.expected]))
        XCTAssertTrue(
            verifier.isValid(
                body: Self.payload,
                headers: ["x-hub-signature-256": Self.expected.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256=")]))
    }

    func testGiteaSignatureWithoutPrefixIsAccepted() {
        let hex = String(Self.expected.dropFirst("sha256=".count))
        XCTAssertTrue(verifier.isValid(body: Self.payload, headers: ["x-gitea-signature": hex]))
        XCTAssertTrue(verifier.isValid(body: Self.payload, headers: ["x-forgejo-signature": hex]))
        XCTAssertTrue(
            verifier.isValid(body: Self.payload, headers: ["x-gitea-signature": hex, "x-hub-signature-256": "sha256=00"]),
            "either header may carry the valid signature")
    }

    func testWrongMissingOrMalformedSignaturesAreRefused() {
        let flipped = String(Self.expected.dropLast()) + "f"
        let cases: [String: [String: String]] = [
            "no header": [:],
            "last digit changed": ["x-hub-signature-256": flipped],
            "other body's signature": ["x-hub-signature-256": verifier.sign(Data("Hello, World?".utf8))],
            "other secret": ["x-hub-signature-256": WebhookSignature(secret: "guess").sign(Self.payload)],
            "sha1 prefix": ["x-hub-signature-256": "sha1=" + Self.expected.dropFirst(7)],
            "no prefix on the GitHub header": ["x-hub-signature-256": String(Self.expected.dropFirst(7))],
            "truncated": ["x-hub-signature-256": String(Self.expected.dropLast(2))],
            "not hex": ["x-hub-signature-256": "sha256=" + String(repeating: "zz", count: 32)],
            "empty": ["x-hub-signature-256": "sha256="],
            "prefix on the Gitea header": ["x-gitea-signature": Self.expected],
        ]
        for (name, headers) in cases {
            XCTAssertFalse(verifier.isValid(body: Self.payload, headers: headers), name)
        }
    }

    func testConstantTimeEqualCompares() {
        XCTAssertTrue(WebhookSignature.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(WebhookSignature.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(WebhookSignature.constantTimeEqual([0, 2, 3], [1, 2, 3]))
        XCTAssertFalse(WebhookSignature.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
