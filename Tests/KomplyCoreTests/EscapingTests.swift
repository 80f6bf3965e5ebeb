import XCTest

@testable import KomplyCore

/// `escapingASCII` replaces ASCII bytes in one pass; it must give what replacing character by
/// character gives, including inside grapheme clusters such as "\r\n" and next to non-ASCII text.
final class EscapingTests: XCTestCase {
    func percent(_ byte: UInt8) -> String? {
        switch byte {
        case UInt8(ascii: "%"): return "%25"
        case UInt8(ascii: "\r"): return "%0D"
        case UInt8(ascii: "\n"): return "%0A"
        case UInt8(ascii: "x"): return ""
        default: return nil
        }
    }

    /// The reference: replaces scalar by scalar.
    func slow(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, let replacement = percent(UInt8(scalar.value)) {
                out += replacement
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    func testAgreesWithScalarByScalarReplacement() {
        let cases = [
            "", "plain", "100%", "a\r\nb", "\r\n", "%%\n%", "ünïcødé 50% ✓\n", "🇩🇪%🇫🇷", "é\u{301}\n", "xax", "x", "nothing to do ✓",
        ]
        for text in cases {
            XCTAssertEqual(text.escapingASCII(percent), slow(text), "\(text.debugDescription)")
        }
    }

    func testMarkdownCellAndCode() {
        XCTAssertEqual(Markdown.cell("a|b\r\n<c>"), "a\\|b &lt;c&gt;")
        XCTAssertEqual(Markdown.code("`x`|y\nz"), "`'x'\\|y z`")
    }
}
