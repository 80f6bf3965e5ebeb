import XCTest

@testable import KomplyCore

final class EmitterTests: XCTestCase {
    /// Strings a careless emitter writes plainly and a YAML 1.1 or 1.2 reader then takes for something else.
    static let trickyStrings = [
        "on", "off", "yes", "no", "y", "n", "Yes", "NO", "true", "False", "null", "Null", "~", "", "1.0", "0755", "0x1F",
        "0o17", "1e3", "1E3", "-1", "+1", ".5", ".inf", "-.Inf", ".nan", "1_000", "1:30", "2001-12-14", "<<", "=",
        "- item", "-", "---", "...", "key: value", "a #comment", "#hash", "&anchor", "*alias", "!tag", "|", ">",
        "'quoted'", "\"dq\"", "%", "@", "`", "{a}", "[b]", ",", "?", ":", "trailing:", " lead", "trail ", "tab\there",
        "line1\nline2", "line1\nline2\n", "two\n\n", "\nleading newline", " indented\nnext", "bell\u{07}", "ünïcødé",
        "emoji 🚀", "\u{FEFF}bom", "back\\slash", "nul\0",
    ]

    func testTrickyStringsRoundTripAsStringsUnderBothSchemas() throws {
        let tree = ValueTree.object(
            Self.trickyStrings.enumerated().map { .init(key: "k\($0.offset)", value: .string($0.element)) }
                + [.init(key: "list", value: .array(Self.trickyStrings.map(ValueTree.string)))]
                + Self.trickyStrings.map { .init(key: $0, value: .string("key")) })
        let yaml = YAMLEmitter.emit(tree)
        let node = try XCTUnwrap(YAMLLoader.parse(yaml, file: "out.yaml").first, yaml)
        XCTAssertEqual(node.valueTree(schema: .core), tree, yaml)
        XCTAssertEqual(node.valueTree(schema: .yaml11), tree, yaml)
    }

    func testBlockLayoutIsStable() {
        let tree = ValueTree.members([
            ("apiVersion", .string("apps/v1")),
            ("kind", .string("Deployment")),
            ("metadata", .members([("name", .string("web")), ("labels", .object([]))])),
            (
                "spec",
                .members([
                    ("replicas", .int(2)),
                    (
                        "containers",
                        .array([
                            .members([
                                ("name", .string("web")), ("args", .array([.string("--port=80"), .string("on")])),
                                ("script", .string("echo a\necho b\n")),
                            ])
                        ])
                    ),
                    ("matrix", .array([.array([.int(1), .int(2)]), .array([])])),
                    ("cpu", .double(0.5)),
                    ("flag", .bool(false)),
                    ("nothing", .null),
                ])
            ),
        ])
        let expected = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: {}
            spec:
              replicas: 2
              containers:
                - name: web
                  args:
                    - --port=80
                    - "on"
                  script: |
                    echo a
                    echo b
              matrix:
                - - 1
                  - 2
                - []
              cpu: 0.5
              flag: false
              nothing: null

            """
        XCTAssertEqual(YAMLEmitter.emit(tree), expected)
        XCTAssertEqual(YAMLEmitter.emit(tree), YAMLEmitter.emit(tree))
    }

    func testJSONOutputEscapesAndOrders() throws {
        let tree = ValueTree.members([
            ("b", .string("q\"\\\n\u{01}")), ("a", .array([.int(1), .double(2.5), .null, .bool(true)])), ("e", .object([])),
        ])
        XCTAssertEqual(
            JSONEmitter.emit(tree),
            """
            {
              "b": "q\\"\\\\\\n\\u0001",
              "a": [
                1,
                2.5,
                null,
                true
              ],
              "e": {}
            }

            """)
        let parsed = try JSONSerialization.jsonObject(with: Data(JSONEmitter.emit(tree).utf8)) as? [String: Any]
        XCTAssertEqual(parsed?["b"] as? String, "q\"\\\n\u{01}")
    }

    func testMultipleDocuments() {
        XCTAssertEqual(YAMLEmitter.emit(documents: [.members([("a", .int(1))]), .members([("b", .int(2))])]), "a: 1\n---\nb: 2\n")
    }
}
