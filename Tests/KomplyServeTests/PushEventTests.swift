import Foundation
import XCTest

@testable import KomplyServe

/// GitHub and Gitea push payloads, and what komply makes of them.
final class PushEventTests: XCTestCase {
    static let commit = "6dcb09b5b57875f334f61aebed695e2e4193db5e"

    /// A push payload trimmed to what both hosts send (GitHub's has many more fields).
    static func payload(ref: String = "refs/heads/main", after: String = commit, fullName: String = "acme/shop", extra: String = "") -> Data
    {
        Data(
            """
            {"ref": "\(ref)", "before": "0000000000000000000000000000000000000000", "after": "\(after)", \(extra)
             "repository": {"id": 1, "name": "shop", "full_name": "\(fullName)", "clone_url": "https://github.com/\(fullName).git",
                            "owner": {"login": "acme"}},
             "pusher": {"name": "dev"}, "commits": []}
            """.utf8)
    }

    func testGitHubBranchPush() throws {
        let parsed = try PushEvent.parse(Self.payload(extra: #""created": false, "deleted": false, "forced": false,"#))
        XCTAssertEqual(
            parsed,
            .branch(PushEvent(repository: "acme/shop", cloneURL: "https://github.com/acme/shop.git", branch: "main", commit: Self.commit)))
    }

    func testGiteaBranchPushWithSlashInBranch() throws {
        // Gitea's payload: same names, plus compare_url and total_commits; full_name may name an organization.
        let body = Self.payload(
            ref: "refs/heads/feature/sizing", fullName: "platform/payments", extra: #""compare_url": "", "total_commits": 1,"#)
        guard case .branch(let event) = try PushEvent.parse(body) else { return XCTFail("expected a branch push") }
        XCTAssertEqual(event.branch, "feature/sizing")
        XCTAssertEqual(event.repository, "platform/payments")
    }

    func testTagsAndDeletedBranchesAreIgnored() throws {
        XCTAssertEqual(try PushEvent.parse(Self.payload(ref: "refs/tags/v1.2.0")), .ignored("refs/tags/v1.2.0 is not a branch"))
        XCTAssertEqual(try PushEvent.parse(Self.payload(after: String(repeating: "0", count: 40))), .ignored("branch main was deleted"))
        XCTAssertEqual(try PushEvent.parse(Self.payload(extra: #""deleted": true,"#)), .ignored("branch main was deleted"))
    }

    func testFormEncodedPayload() throws {
        let json = String(decoding: Self.payload(), as: UTF8.self)
        let encoded = json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let parsed = try PushEvent.parse(Data("payload=\(encoded)".utf8), contentType: "application/x-www-form-urlencoded")
        guard case .branch(let event) = parsed else { return XCTFail("expected a branch push") }
        XCTAssertEqual(event.commit, Self.commit)
    }

    func testBadPayloadsNameWhatIsWrong() {
        let cases: [(Data, String)] = [
            (Data("Hello, World!".utf8), "malformed webhook payload: not valid JSON"),
            (Data("[1, 2]".utf8), "malformed webhook payload: the body is not a JSON object"),
            (Data(#"{"ref": "refs/heads/main", "after": "\#(Self.commit)"}"#.utf8), "payload field repository is missing"),
            (
                Data(#"{"ref": "refs/heads/main", "after": "\#(Self.commit)", "repository": {"full_name": "a/b"}}"#.utf8),
                "payload field repository.clone_url is missing; expected a push payload with ref, after, repository.full_name and repository.clone_url"
            ),
            (
                Data(#"{"after": "\#(Self.commit)", "repository": {"full_name": "a/b", "clone_url": "u"}}"#.utf8),
                "payload field ref is missing"
            ),
            (
                Data(#"{"ref": 7, "after": "x", "repository": {"full_name": "a/b", "clone_url": "u"}}"#.utf8),
                "payload field ref is of the wrong type; expected a string"
            ),
            (Self.payload(after: "HEAD"), #"payload field after is "HEAD"; expected a commit id"#),
            (Self.payload(ref: "main"), #"payload field ref is "main"; expected a full ref"#),
            (
                Self.payload(ref: "refs/heads/--upload-pack=x"),
                #"payload field ref is "refs/heads/--upload-pack=x"; expected refs/heads/ followed by a valid branch name"#
            ),
            (Self.payload(ref: "refs/heads/a..b"), "expected refs/heads/ followed by a valid branch name"),
            (Self.payload(fullName: "shop"), #"payload field repository.full_name is "shop"; expected owner/name"#),
            (Self.payload(fullName: "acme/../etc"), "expected owner/name"),
            (Self.payload(fullName: "acme/sh\\u0007op"), #"payload field repository.full_name is "acme/sh\u{7}op"; expected owner/name"#),
            (Self.payload(fullName: "acme/sh\\u007fop"), "expected owner/name"),
        ]
        for (body, expected) in cases {
            XCTAssertThrowsError(try PushEvent.parse(body)) { error in
                XCTAssertTrue(error.localizedDescription.contains(expected), "\(error.localizedDescription) lacks \(expected)")
            }
        }
        XCTAssertThrowsError(try PushEvent.parse(Data("a=b".utf8), contentType: "application/x-www-form-urlencoded")) { error in
            XCTAssertEqual(error as? ServeError, .malformedPayload("the form-encoded body has no payload field; expected payload=<JSON>"))
        }
    }

    func testRefsRepositoryNamesAndCloneURLsHaveLengthLimits() throws {
        let longest = "refs/heads/" + String(repeating: "b", count: PushEvent.maxRefBytes - "refs/heads/".count)
        guard case .branch(let event) = try PushEvent.parse(Self.payload(ref: longest)) else { return XCTFail("expected a branch push") }
        XCTAssertEqual(event.branch.utf8.count, 244)
        let cases: [(Data, String)] = [
            (Self.payload(ref: longest + "b"), "(256 bytes); expected a ref of at most 255 bytes"),
            // A tag over the limit is refused too (before it could be ignored as not a branch).
            (Self.payload(ref: "refs/tags/" + String(repeating: "t", count: 300)), "(310 bytes); expected a ref of at most 255 bytes"),
            // 100 three-byte characters: 100 characters, 311 bytes.
            (Self.payload(ref: "refs/heads/" + String(repeating: "€", count: 100)), "(311 bytes)"),
            (Self.payload(fullName: "acme/" + String(repeating: "s", count: 200)), "expected owner/name of at most 200 bytes"),
        ]
        for (body, expected) in cases {
            XCTAssertThrowsError(try PushEvent.parse(body)) { error in
                XCTAssertTrue(error.localizedDescription.contains(expected), "\(error.localizedDescription) lacks \(expected)")
                XCTAssertLessThan(error.localizedDescription.count, 300, "the value is cut in the message")
            }
        }
        let url = Data(
            #"{"ref": "refs/heads/main", "after": "\#(Self.commit)", "repository": {"full_name": "a/b", "clone_url": "https://x/\#(String(repeating: "u", count: 3000))"}}"#
                .utf8)
        XCTAssertThrowsError(try PushEvent.parse(url)) { error in
            XCTAssertTrue(error.localizedDescription.contains("expected a URL of at most 2048 visible ASCII characters"), "\(error)")
        }
    }

    func testInvisibleAndControlCharactersInARefAreRefusedAndShownEscaped() {
        // JSON escapes: a newline (log forging), a C1 control, a right-to-left override, a zero-width space.
        for (escaped, shown) in [("\\n", "\\u{a}"), ("\\u0085", "\\u{85}"), ("\\u202e", "\\u{202e}"), ("\\u200b", "\\u{200b}")] {
            let body = Self.payload(ref: "refs/heads/main\(escaped)komply: regenerated acme/shop")
            XCTAssertThrowsError(try PushEvent.parse(body), escaped) { error in
                let message = error.localizedDescription
                XCTAssertTrue(message.contains("refs/heads/main\(shown)komply"), message)
                XCTAssertFalse(message.contains("\n"), "no line break reaches the log: \(message)")
                XCTAssertTrue(message.contains("no control, invisible formatting or line-separator characters"), message)
            }
        }
        XCTAssertTrue(PushEvent.isSafeBranchName("feature/café-€"), "printable non-ASCII stays allowed")
    }

    func testBranchNameSafety() {
        for good in ["main", "release/1.2", "feature/x_y-z", "dependabot/npm_and_yarn/lodash-4.17.21"] {
            XCTAssertTrue(PushEvent.isSafeBranchName(good), good)
        }
        for bad in ["", "-x", "--force", "a b", "a..b", "a~1", "a^", "a:b", "x.lock", "/a", "a/", "a//b", "a@{1}", "tab\tname", "a\\b"] {
            XCTAssertFalse(PushEvent.isSafeBranchName(bad), bad)
        }
    }
}
