import KomplyCore
import XCTest

@testable import KomplyLint

/// The text reporter's source lines never show a secret value, in block, flow and JSON form.
final class SnippetMaskTests: XCTestCase {
    func testSecretValuesAreMaskedAndOtherLinesKept() {
        let cases: [(line: String, previous: String?, expected: String)] = [
            ("              value: hunter2", "            - name: DB_PASSWORD", "              value: ********"),
            (
                "              value: \"hunter2\"  # expect: x", "            - name: DB_PASSWORD",
                "              value: ********  # expect: x"
            ),
            ("              value: info", "            - name: LOG_LEVEL", "              value: info"),
            ("  DB_PASSWORD: hunter2", nil, "  DB_PASSWORD: ********"),
            (
                #"   "data": {"LOG_LEVEL": "info", "API_TOKEN": "s3cr3t-value"}},"#, nil,
                #"   "data": {"LOG_LEVEL": "info", "API_TOKEN": ********}},"#
            ),
            ("  - {name: DB_PASSWORD, value: hunter2}", nil, "  - {name: DB_PASSWORD, value: ********}"),
            ("  UPSTREAM: postgres://app:pw-1234@db/app", nil, "  UPSTREAM: ********"),
            ("    ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", nil, "    ********"),
            ("  image: registry.example.com/shop/api:1.4.2", nil, "  image: registry.example.com/shop/api:1.4.2"),
            ("  DB_PASSWORD_FILE: /run/secrets/db", nil, "  DB_PASSWORD_FILE: /run/secrets/db"),
        ]
        for item in cases {
            XCTAssertEqual(SnippetMask.masked(item.line[...], previous: item.previous?[...]), item.expected, item.line)
        }
    }
}
