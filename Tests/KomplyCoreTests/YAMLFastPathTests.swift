import Foundation
import XCTest

@testable import KomplyCore

/// The in-place node lookups and the byte-level JSON writer that `komply lint` relies on for speed:
/// each must give exactly what the straightforward code gives.
final class YAMLFastPathTests: XCTestCase {
    static let document = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app.kubernetes.io/name: web, tier: front}
        spec:
          replicas: 2
          paused: ~
          template:
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                - name: sidecar
        """

    func node() throws -> Node { try XCTUnwrap(YAMLLoader.parse(Self.document, file: "d.yaml").first) }

    func testLookupsAgreeWithTheCopyingAccessors() throws {
        let root = try node()
        for key in ["apiVersion", "kind", "metadata", "spec", "missing", ""] {
            XCTAssertEqual(root[key], root.mapping?.first { $0.key.scalar == key }?.value, key)
            XCTAssertEqual(root.pair(key), root.mapping?.first { $0.key.scalar == key }, key)
            XCTAssertEqual(root.hasKey(key), root[key] != nil, key)
            XCTAssertEqual(root.scalar(forKey: key), root[key]?.scalar, key)
            XCTAssertEqual(root.withValue(forKey: key) { $0 }, root[key], key)
            XCTAssertEqual(root.withPair(forKey: key) { $0 }, root.pair(key), key)
        }
        let spec = try XCTUnwrap(root["spec"])
        XCTAssertTrue(spec.hasKey("paused"))
        XCTAssertFalse(spec.hasValue(forKey: "paused"), "a null value counts as absent")
        XCTAssertTrue(spec.hasValue(forKey: "replicas"))
        XCTAssertEqual(root.value(at: ["spec", "template", "spec"]), root["spec"]?["template"]?["spec"])
        XCTAssertNil(root.value(at: ["spec", "replicas", "x"]))
        XCTAssertEqual(root.value(at: []), root)
        XCTAssertEqual(root.count, 4)
        XCTAssertEqual(root["kind"]?.count, 0)
        let containers = try XCTUnwrap(root.value(at: ["spec", "template", "spec", "containers"]))
        XCTAssertEqual(containers.count, 2)
        var names: [String?] = []
        containers.forEachItem { names.append($0.scalar(forKey: "name")) }
        XCTAssertEqual(names, ["web", "sidecar"])
        var keys: [String] = []
        root.forEachPair { keys.append($0.key.scalar ?? "?") }
        XCTAssertEqual(keys, ["apiVersion", "kind", "metadata", "spec"])
        XCTAssertTrue(try XCTUnwrap(root["kind"]).isScalar("Deployment"))
        XCTAssertFalse(try XCTUnwrap(root["metadata"]).isScalar("Deployment"))
        // Lookups on scalars and sequences find nothing.
        XCTAssertNil(containers["name"])
        XCTAssertNil(try XCTUnwrap(root["kind"]).scalar(forKey: "kind"))
        XCTAssertFalse(containers.hasKey("name"))
    }

    func testStandardLimitsReadTheEnvironmentEachTime() {
        XCTAssertEqual(LoadLimits.standard.maxFileBytes, LoadLimits().maxFileBytes)
        setenv("KOMPLY_MAX_FILE_BYTES", "1234", 1)
        defer { unsetenv("KOMPLY_MAX_FILE_BYTES") }
        XCTAssertEqual(LoadLimits.standard.maxFileBytes, 1234)
        setenv("KOMPLY_MAX_FILE_BYTES", "nonsense", 1)
        XCTAssertEqual(LoadLimits.standard.maxFileBytes, LoadLimits().maxFileBytes)
    }

    func testWordsSkipNumberParsingButResolveAsBefore() {
        let cases: [(String, ScalarResolver.Resolved)] = [
            ("nginx", .string("nginx")), ("e10", .string("e10")), ("x12", .string("x12")), ("abc", .string("abc")),
            ("１２", .string("１２")), ("yes", .bool(true)), ("No", .bool(false)), ("12", .int(12)), ("-0x1F", .int(-31)),
            ("_1", .int(1)), ("0755", .int(493)), (".5", .float(0.5)), ("+.inf", .float(.infinity)), ("1e3", .float(1000)),
            ("1_000", .int(1000)), ("~", .null), ("-", .string("-")), ("+", .string("+")), (".", .string(".")),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(ScalarResolver.resolve(text, schema: .yaml11), expected, text)
        }
        XCTAssertEqual(ScalarResolver.resolve("_1", schema: .core), .string("_1"))
        XCTAssertEqual(ScalarResolver.resolve("0755", schema: .core), .int(755))
    }

    /// Plain decimals are read from the bytes; every text resolves as the general rules resolve it,
    /// in both schemas (leading zeros, signs, underscores, 18 and 19 digits, non-ASCII digits…).
    func testDecimalFastPathAgreesWithTheGeneralRules() {
        var texts = [
            "0", "00", "07", "08", "1", "9", "10", "80", "8080", "65535", "-1", "+1", "1_0", "１", "٣", "1.0", "1e3", "0x10",
            "123456789012345678", "999999999999999999", "1234567890123456789", "9223372036854775807", "9223372036854775808",
            "", "~", "null", "Null", "NULL", "nULL", "n", "N", "no", "on", "off", "y", "true", "False", ".inf", "-.inf",
            "12a", "a12", "1 2", " 12", "12 ", "_", "-", "+", ".", "1:30", "2001-12-14",
        ]
        texts += (0..<300).map { String($0 * 7919) }
        for text in texts {
            for schema in [ScalarResolver.Schema.core, .yaml11] {
                XCTAssertEqual(
                    ScalarResolver.resolve(text, schema: schema), ScalarResolver.resolveWithoutFastPath(text, schema: schema),
                    "\(text) \(schema)")
            }
        }
        // NaN is not equal to itself: compared by kind.
        guard case .float(let nan) = ScalarResolver.resolve(".nan", schema: .yaml11), nan.isNaN else { return XCTFail(".nan") }
        XCTAssertEqual(ScalarResolver.plainDecimal("8080"), 8080)
        XCTAssertNil(ScalarResolver.plainDecimal("08"))
        XCTAssertNil(ScalarResolver.plainDecimal("1234567890123456789"))
        XCTAssertTrue(ScalarResolver.isNull("") && ScalarResolver.isNull("~") && ScalarResolver.isNull("NULL"))
        XCTAssertFalse(ScalarResolver.isNull("nULL") || ScalarResolver.isNull("none") || ScalarResolver.isNull("0"))
    }

    // MARK: JSON

    /// Every byte that needs escaping, at every offset of several words the writer scans eight bytes
    /// at a time.
    func testEscapingMatchesTheScalarByScalarDefinition() {
        var strings: [String] = ["", "plain", "ünïcødé 🚀", "\u{7F}", "\u{FEFF}x"]
        let specials: [Character] = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "é", " ", "~", "\u{80}", "ÿ"]
        for length in 0..<40 {
            for special in specials {
                for position in 0...length {
                    var text = String(repeating: "a", count: length)
                    text.insert(special, at: text.index(text.startIndex, offsetBy: position))
                    strings.append(text)
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let scalars = (0..<Int.random(in: 0..<80, using: &generator)).map { _ -> Character in
                Character(
                    Unicode.Scalar(
                        [0, 9, 10, 13, 0x1F, 0x20, 0x22, 0x41, 0x5C, 0x7E, 0x7F, 0xE9, 0x4E2D].randomElement(using: &generator)!)!)
            }
            strings.append(String(scalars))
        }
        for text in strings {
            XCTAssertEqual(JSONEmitter.quote(text), Self.referenceQuote(text), text.debugDescription)
        }
        let tree = ValueTree.object(strings.enumerated().map { .init(key: "k\($0.offset)\($0.element)", value: .string($0.element)) })
        XCTAssertEqual(JSONEmitter.emit(tree), Self.referenceEmit(tree, pretty: true))
        XCTAssertEqual(JSONEmitter.emit(tree, pretty: false), Self.referenceEmit(tree, pretty: false))
    }

    /// Long arrays are written in parallel chunks; the bytes must not change.
    func testLongArraysAreWrittenAsOneAfterAnother() {
        for count in [2047, 2048, 2049, 5000] {
            var items: [ValueTree] = []
            for i in 0..<count {
                let tail: ValueTree = i % 5 == 0 ? .null : .array([.int(Int.min), .int(Int.max)])
                let members: [(String, ValueTree?)] = [
                    ("i", .int(i)), ("n", .int(-i)), ("s", .string("item \(i) \"quoted\"\n")), ("b", .bool(i % 2 == 0)),
                    ("d", .double(Double(i) / 3)), ("x", tail), ("o", .object([])), ("a", .array([])),
                ]
                items.append(.members(members))
            }
            let tree = ValueTree.members([("version", .int(1)), ("items", .array(items))])
            XCTAssertEqual(JSONEmitter.emit(tree), Self.referenceEmit(tree, pretty: true), "\(count) items")
            XCTAssertEqual(JSONEmitter.emit(tree, pretty: false), Self.referenceEmit(tree, pretty: false), "\(count) items")
        }
    }

    /// The JSON writer as it was before it wrote bytes: the definition the fast one must match.
    static func referenceEmit(_ value: ValueTree, pretty: Bool) -> String {
        var out = ""
        func newline(_ indent: Int) {
            guard pretty else { return }
            out += "\n" + String(repeating: "  ", count: indent)
        }
        func write(_ value: ValueTree, _ indent: Int) {
            switch value {
            case .null: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .double(let d): out += JSONEmitter.number(d)
            case .string(let s): out += referenceQuote(s)
            case .array(let items):
                guard !items.isEmpty else { return out += "[]" }
                out += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { out += "," }
                    newline(indent + 1)
                    write(item, indent + 1)
                }
                newline(indent)
                out += "]"
            case .object(let members):
                guard !members.isEmpty else { return out += "{}" }
                out += "{"
                for (index, member) in members.enumerated() {
                    if index > 0 { out += "," }
                    newline(indent + 1)
                    out += referenceQuote(member.key) + (pretty ? ": " : ":")
                    write(member.value, indent + 1)
                }
                newline(indent)
                out += "}"
            }
        }
        write(value, 0)
        return pretty ? out + "\n" : out
    }

    static func referenceQuote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
