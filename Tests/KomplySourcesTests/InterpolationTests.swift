import XCTest

@testable import KomplySources

final class InterpolationTests: XCTestCase {
    private let environment = ["FOO": "first", "BAR": "", "lower": "small"]

    private func interpolate(_ text: String) throws -> String {
        try Interpolation.interpolate(text) { self.environment[$0] }
    }

    func testSubstitutions() throws {
        let cases: [(String, String)] = [
            ("foo", "foo"),
            ("", ""),
            ("$${foo}", "${foo}"),
            ("$$FOO", "$FOO"),
            ("$$$FOO", "$first"),
            ("This $FOO var", "This first var"),
            ("This ${FOO} var", "This first var"),
            ("This ${missing} var", "This  var"),
            ("This ${BAR} var", "This  var"),
            ("$lower and $LOWER", "small and "),
            ("$FOO-bar", "first-bar"),
            ("$FOO.bar", "first.bar"),
            ("$FOO$FOO${FOO}", "firstfirstfirst"),
            ("${FOO}}", "first}"),
            ("héllo ${FOO} wörld ✓", "héllo first wörld ✓"),
            // A `$` that starts no name, brace or `$` stays as written.
            ("$", "$"),
            ("cost: 5$", "cost: 5$"),
            ("a $ b", "a $ b"),
            ("$1 $- $} $é", "$1 $- $} $é"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try interpolate(input), expected, "input: \(input)")
        }
    }

    func testOperators() throws {
        let cases: [(String, String)] = [
            ("ok ${missing:-def}", "ok def"),
            ("ok ${BAR:-def}", "ok def"),
            ("ok ${FOO:-def}", "ok first"),
            ("ok ${missing-def}", "ok def"),
            ("ok ${BAR-def}", "ok "),
            ("ok ${FOO-def}", "ok first"),
            ("ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric"),
            ("${missing:-}", ""),
            ("${FOO:+alt}", "alt"),
            ("${BAR:+alt}", ""),
            ("${missing:+alt}", ""),
            ("${FOO+alt}", "alt"),
            ("${BAR+alt}", "alt"),
            ("${missing+alt}", ""),
            ("ok ${FOO:?err}", "ok first"),
            ("ok ${FOO?err}", "ok first"),
            ("ok ${BAR?err}", "ok "),
            // The first operator after the name wins.
            ("${missing-myerror?msg}", "myerror?msg"),
            ("${FOO?bar-baz}", "first"),
            ("${missing:-a:+b}", "a:+b"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try interpolate(input), expected, "input: \(input)")
        }
    }

    func testNesting() throws {
        let cases: [(String, String)] = [
            ("ok ${missing-$FOO}", "ok first"),
            ("ok ${missing-${FOO}}", "ok first"),
            ("ok ${missing-${FOO} ${FOO}}", "ok first first"),
            ("ok ${BAR:-$FOO}", "ok first"),
            ("ok ${BAR:-${FOO}}", "ok first"),
            ("${A:-${B:-x}}", "x"),
            ("${A:-${B:-${FOO}}}", "first"),
            ("${A:-foo-${FOO}-bar}", "foo-first-bar"),
            ("${FOO:+[${FOO}]}", "[first]"),
            ("${missing:-$${FOO}}", "${FOO}"),
            ("${missing:-{x}}", "{x}"),
            ("${missing:-a}}", "a}"),
            // Several expressions on one line, each closed by its own balancing brace.
            ("${FOO:-a} and ${BAR:-b} and ${FOO}", "first and b and first"),
            ("${missing:-a}\n${FOO:-b}\n$FOO", "a\nfirst\nfirst"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try interpolate(input), expected, "input: \(input)")
        }
    }

    func testErrors() {
        let cases: [(String, Int, String)] = [
            ("${", 0, #"invalid interpolation format for "${""#),
            ("${}", 0, #"invalid interpolation format for "${}""#),
            ("${ }", 0, #"invalid interpolation format for "${ }""#),
            ("${ VAR}", 0, #"invalid interpolation format for "${ VAR}""#),
            ("${foo }", 0, #"invalid interpolation format for "${foo }""#),
            ("${foo!}", 0, #"invalid interpolation format for "${foo!}""#),
            ("${1A}", 0, #"invalid interpolation format for "${1A}""#),
            ("${FOO:x}", 0, #"invalid interpolation format for "${FOO:x}""#),
            ("x ${FOO", 2, #"invalid interpolation format for "x ${FOO""#),
            ("${FOO:-x", 0, #"invalid interpolation format for "${FOO:-x""#),
            ("${FOO:-x\n}", 0, #"invalid interpolation format for "${FOO:-x\n}""#),
            (#"say "${}""#, 5, #"invalid interpolation format for "say \"${}\"""#),
            ("é ${}", 3, #"invalid interpolation format for "é ${}""#),
            ("$FOO ${missing:-${}}", 16, #"invalid interpolation format for "$FOO ${missing:-${}}""#),
            (
                "not ok ${UNSET_VAR:?Mandatory Variable Unset}", 7,
                "required variable UNSET_VAR is missing a value: Mandatory Variable Unset"
            ),
            (
                "${BAR:?Mandatory Variable Empty}", 0,
                "required variable BAR is missing a value: Mandatory Variable Empty"
            ),
            ("${UNSET_VAR:?}", 0, "required variable UNSET_VAR is missing a value"),
            ("${UNSET_VAR?}", 0, "required variable UNSET_VAR is missing a value"),
            ("${UNSET_VAR?bar-baz}", 0, "required variable UNSET_VAR is missing a value: bar-baz"),
            (
                "${UNSET_VAR:?Mandatory Variable ${FOO}}", 0,
                "required variable UNSET_VAR is missing a value: Mandatory Variable first"
            ),
            // compose-go interpolates the word before it looks at the variable, even when unused.
            ("ab ${FOO:-${X:?boom}}", 10, "required variable X is missing a value: boom"),
            ("ab\n${FOO}${X?}", 9, "required variable X is missing a value"),
        ]
        for (input, offset, message) in cases {
            XCTAssertThrowsError(try interpolate(input), "input: \(input)") { error in
                XCTAssertEqual(
                    error as? InterpolationError, InterpolationError(offset: offset, message: message),
                    "input: \(input)")
            }
        }
    }

    func testUnsetTracking() throws {
        let cases: [(String, Set<String>)] = [
            ("$A ${B} ${C:-x} ${D-y} ${E:+z} ${F?} ${FOO} $$G", ["A", "B"]),
            ("${BAR} $FOO", []),
            ("${FOO:-$H}", ["H"]),
            ("${missing:-${I}-${J:-j}}", ["I"]),
        ]
        for (input, expected) in cases {
            var unset = Set<String>()
            _ = try? Interpolation.interpolate(input, lookup: { self.environment[$0] }, unset: &unset)
            XCTAssertEqual(unset, expected, "input: \(input)")
        }
    }
}
