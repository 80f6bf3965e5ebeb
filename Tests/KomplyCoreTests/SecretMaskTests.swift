import KomplyCore
import XCTest

/// The text reporter's source lines never show a secret value, in block, flow and JSON form.
final class SecretMaskTests: XCTestCase {
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
            XCTAssertEqual(SecretMask.masked(item.line[...], previous: item.previous?[...]), item.expected, item.line)
        }
    }

    func testDiffsForReadingMaskSecretLinesAndPatchableDiffsDoNot() {
        let old = "data:\n  DB_PASSWORD: hunter2\n  LOG_LEVEL: info\n"
        let new = "data:\n  DB_PASSWORD: hunter2\n  LOG_LEVEL: debug\n"
        let shown = TextDiff.unified(old: old, new: new, oldName: "a/x.yaml", newName: "b/x.yaml", maskingSecrets: true)
        XCTAssertFalse(shown.contains("hunter2"), shown)
        XCTAssertTrue(shown.contains("   DB_PASSWORD: ********\n"), shown)
        XCTAssertTrue(shown.contains("+  LOG_LEVEL: debug\n"), shown)
        XCTAssertTrue(TextDiff.unified(old: old, new: new, oldName: "a", newName: "b").contains("hunter2"), "patchable diffs stay exact")
    }
}
