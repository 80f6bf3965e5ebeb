import XCTest

@testable import KomplySources

final class DotEnvTests: XCTestCase {
    private struct Entry: Equatable, CustomStringConvertible {
        let key: String
        let value: String?

        init(_ key: String, _ value: String?) {
            self.key = key
            self.value = value
        }

        var description: String { "\(key)=\(value.map { "\"\($0)\"" } ?? "nil")" }
    }

    private func parse(_ contents: String, environment: [String: String] = [:]) throws -> [Entry] {
        try DotEnv.parse(contents) { environment[$0] }.map { Entry($0.key, $0.value) }
    }

    private func assertParses(
        _ contents: String,
        environment: [String: String] = [:],
        _ expected: [Entry],
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(try parse(contents, environment: environment), expected, file: file, line: line)
    }

    func testPlainStatements() {
        assertParses("A=1\nB=two words\n", [Entry("A", "1"), Entry("B", "two words")])
        assertParses(
            " KEY =value\n\tK2= value  \nK3 : yaml style",
            [
                Entry("KEY", "value"), Entry("K2", "value"), Entry("K3", "yaml style"),
            ])
        assertParses(
            "A=postgres://localhost:5432/db?sslmode=disable\nB: Foo=bar\nC=1:B\nD=foobar=",
            [
                Entry("A", "postgres://localhost:5432/db?sslmode=disable"), Entry("B", "Foo=bar"),
                Entry("C", "1:B"), Entry("D", "foobar="),
            ])
        assertParses(
            "EMPTY=\nQUOTED=\"\"\nSINGLE=''\nLAST=",
            [
                Entry("EMPTY", ""), Entry("QUOTED", ""), Entry("SINGLE", ""), Entry("LAST", ""),
            ])
        assertParses(
            "a[1]=c\na.propertyKey=d\nárvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép",
            [
                Entry("a[1]", "c"), Entry("a.propertyKey", "d"),
                Entry("árvíztűrő-TÜKÖRFÚRÓGÉP", "ÁRVÍZTŰRŐ-tükörfúrógép"),
            ])
        assertParses("", [])
        assertParses("\n \t\n", [])
    }

    func testExport() {
        assertParses(
            "export A=1\nexport\tB=2\n  export C=3\nexportFOO=4\nexport_X=5\nexport.Y=6\nexport=7\nexport\nexport D",
            [
                Entry("A", "1"), Entry("B", "2"), Entry("C", "3"), Entry("exportFOO", "4"),
                Entry("export_X", "5"), Entry("export.Y", "6"), Entry("export", "7"), Entry("D", nil),
            ])
    }

    func testComments() {
        assertParses(
            "# comment\n\n  # indented = 1\nA=1 # trailing\nB=x#y\nC=\"q#v\" # c\nD='s#v' # c\nE=1\t#tab",
            [
                Entry("A", "1"), Entry("B", "x#y"), Entry("C", "q#v"), Entry("D", "s#v"), Entry("E", "1\t#tab"),
            ])
    }

    func testKeysWithoutValue() {
        assertParses("A\nB=1\n  C  \nD", [Entry("A", nil), Entry("B", "1"), Entry("C", nil), Entry("D", nil)])
    }

    func testDuplicatesKeepFirstPosition() {
        assertParses("A=1\nB=2\nA=3", [Entry("A", "3"), Entry("B", "2")])
        // compose-go keeps an earlier value for a lone key the environment does not have.
        assertParses("A=1\nA", [Entry("A", "1")])
        assertParses("A=1\nA", environment: ["A": "env"], [Entry("A", nil)])
        assertParses("A\nA=2", [Entry("A", "2")])
    }

    func testSingleQuotes() {
        assertParses(#"A='quote $FOO ${BAR'"#, environment: ["FOO": "x"], [Entry("A", "quote $FOO ${BAR")])
        assertParses(#"A='a\nb'"#, [Entry("A", #"a\nb"#)])
        assertParses(#"A='it\'s'"#, [Entry("A", "it's")])
        assertParses(#"A='echo "asd"'"#, [Entry("A", #"echo "asd""#)])
        // compose-go lets single-quoted values span lines too.
        assertParses("A='first line\nsecond line'\nB=1", [Entry("A", "first line\nsecond line"), Entry("B", "1")])
    }

    func testDoubleQuotes() {
        assertParses(#"A="a\nb\tc\"d\\e""#, [Entry("A", "a\nb\tc\"d\\e")])
        assertParses(#"A="bar\n\ b\az""#, [Entry("A", "bar\n\\ b\u{07}z")])
        assertParses(#"A="bar\\\n\ b\az""#, [Entry("A", "bar\\\n\\ b\u{07}z")])
        assertParses(#"A="echo 'asd'""#, [Entry("A", "echo 'asd'")])
        assertParses(#"A="\0101\0""#, [Entry("A", "A\\")])
        assertParses(#"A="foo\$BAR \${BAR}""#, environment: ["BAR": "x"], [Entry("A", "foo$BAR ${BAR}")])
        assertParses("A=\"line1\nline2\"\nB=2", [Entry("A", "line1\nline2"), Entry("B", "2")])
        // After a closing quote compose-go reads the rest of the line as the next statement.
        assertParses(#"A="x" B=y"#, [Entry("A", "x"), Entry("B", "y")])
    }

    func testUnquotedValuesKeepBackslashes() {
        assertParses(#"A=a\nb"#, [Entry("A", #"a\nb"#)])
    }

    func testInterpolation() {
        assertParses(
            "FOO=test\nBAR=$FOO\nBAZ=\"${FOO}bar\"\nQ='${FOO}'",
            [
                Entry("FOO", "test"), Entry("BAR", "test"), Entry("BAZ", "testbar"), Entry("Q", "${FOO}"),
            ])
        assertParses(
            "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\n"
                + "OPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}",
            [
                Entry("OPTION_A", "1"), Entry("OPTION_B", "1"), Entry("OPTION_C", "1"),
                Entry("OPTION_D", "1_1"), Entry("OPTION_E", ""),
            ])
        assertParses("A=${HOME_DIR}/x", environment: ["HOME_DIR": "/home/me"], [Entry("A", "/home/me/x")])
        // As in compose-go, the lookup (the environment) wins over a value defined earlier in the file.
        assertParses("FOO=file\nBAR=$FOO", environment: ["FOO": "env"], [Entry("FOO", "file"), Entry("BAR", "env")])
        assertParses("A=$$B \"$$\"", [Entry("A", "$B \"$\"")])
    }

    func testUnsetTracking() throws {
        var unset = Set<String>()
        _ = try DotEnv.parse("A=$X\nB=\"${Y}\"\nC='$Z'\nD=$A${W:-w}", lookup: { _ in nil }, unset: &unset)
        XCTAssertEqual(unset, ["X", "Y"])
    }

    func testLineEndingsAndByteOrderMark() {
        assertParses("\u{FEFF}A=1\r\nB=\"2\"\r\nC\r\n", [Entry("A", "1"), Entry("B", "2"), Entry("C", nil)])
    }

    func testErrors() {
        let cases: [(String, DotEnvError)] = [
            ("FOO BAR=1", DotEnvError(line: 1, column: 4, message: "key cannot contain a space")),
            ("A=1\n=x", DotEnvError(line: 2, column: 1, message: #"missing variable name before "=""#)),
            (
                "%!(EXTRA string)=foo",
                DotEnvError(
                    line: 1, column: 1,
                    message: #"unexpected character "%" in variable name "%!(EXTRA string)=foo""#)
            ),
            (
                "A=1\n\n  B$=2\nC=3",
                DotEnvError(line: 3, column: 4, message: #"unexpected character "$" in variable name "B$=2""#)
            ),
            (
                "K€Y=1",
                DotEnvError(line: 1, column: 2, message: #"unexpected character "€" in variable name "K€Y=1""#)
            ),
            ("A=\"abc\nB=1", DotEnvError(line: 1, column: 3, message: #"unterminated quoted value "abc"#)),
            ("A='abc", DotEnvError(line: 1, column: 3, message: "unterminated quoted value 'abc")),
            (
                "A=1\nB=x ${",
                DotEnvError(line: 2, column: 5, message: #"invalid interpolation format for "x ${""#)
            ),
            (
                "A=\"l1\n  é ${NOPE:?need it}\"",
                DotEnvError(line: 2, column: 5, message: "required variable NOPE is missing a value: need it")
            ),
            (
                #"A="\t${NOPE?}""#,
                DotEnvError(line: 1, column: 6, message: "required variable NOPE is missing a value")
            ),
        ]
        for (input, expected) in cases {
            XCTAssertThrowsError(try parse(input), "input: \(input)") { error in
                XCTAssertEqual(error as? DotEnvError, expected, "input: \(input)")
            }
        }
    }
}
