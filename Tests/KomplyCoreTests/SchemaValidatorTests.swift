import Foundation
import XCTest

@testable import KomplyCore

final class SchemaValidatorTests: XCTestCase {
    // MARK: - Keywords, one at a time

    func testTypeFollowsYAMLCoreScalars() throws {
        let schema = try Self.schema(#"{"type": "integer"}"#)
        XCTAssertEqual(try Self.messages(schema, "8080"), [])
        XCTAssertEqual(try Self.messages(schema, "1.0"), [], "integer-valued floats are integers")
        XCTAssertEqual(try Self.messages(schema, "0x1F"), [])
        XCTAssertEqual(try Self.messages(schema, "\"8080\""), [#"the document must be an integer, found a string ("8080")"#])
        XCTAssertEqual(try Self.messages(schema, "1.5"), ["the document must be an integer, found a number (1.5)"])
        XCTAssertEqual(try Self.messages(schema, "true"), ["the document must be an integer, found a boolean (true)"])
        XCTAssertEqual(try Self.messages(schema, "~"), ["the document must be an integer, found null"])
        XCTAssertEqual(try Self.messages(schema, "!!int 12"), [])

        let number = try Self.schema(#"{"type": "number"}"#)
        XCTAssertEqual(try Self.messages(number, "8080"), [], "an integer is also a number")
        XCTAssertEqual(try Self.messages(number, "2.5e3"), [])

        let several = try Self.schema(#"{"type": ["string", "null", "array"]}"#)
        XCTAssertEqual(try Self.messages(several, "x"), [])
        XCTAssertEqual(try Self.messages(several, "null"), [])
        let property = try Self.schema(#"{"properties": {"a": {"type": "null"}}}"#)
        XCTAssertEqual(try Self.messages(property, "a:\n"), [], "an empty value is null")
        XCTAssertEqual(try Self.messages(several, "[]"), [])
        XCTAssertEqual(try Self.messages(several, "{a: 1}"), ["the document must be a string, null or a list, found a mapping"])
        XCTAssertEqual(try Self.messages(several, "yes"), [], "yes is a string under YAML 1.2")
    }

    func testEnumAndConst() throws {
        let schema = try Self.schema(#"{"properties": {"restart": {"enum": ["no", "always", 1]}, "v": {"const": 2}}}"#)
        XCTAssertEqual(try Self.messages(schema, "{restart: always, v: 2.0}"), [])
        XCTAssertEqual(try Self.messages(schema, "{restart: 1.0}"), [], "1.0 equals 1")
        XCTAssertEqual(try Self.messages(schema, "{restart: no}"), [], "plain no is the string \"no\" under YAML 1.2")
        XCTAssertEqual(
            try Self.messages(schema, "{restart: never, v: '2'}"),
            [#"restart must be one of: "no", "always", 1, found "never""#, #"v must be 2, found "2""#])
    }

    func testNumericBounds() throws {
        let schema = try Self.schema(
            #"{"properties": {"a": {"minimum": 0, "maximum": 100}, "b": {"exclusiveMinimum": 0, "exclusiveMaximum": 1.5}}}"#)
        XCTAssertEqual(try Self.messages(schema, "{a: 0, b: 1}"), [])
        XCTAssertEqual(try Self.messages(schema, "{a: 100, b: 1.4}"), [])
        XCTAssertEqual(
            try Self.messages(schema, "{a: -1, b: 0}"),
            ["a must be at least 0, found an integer (-1)", "b must be greater than 0, found an integer (0)"])
        XCTAssertEqual(
            try Self.messages(schema, "{a: 100.5, b: 1.5}"),
            ["a must be at most 100, found a number (100.5)", "b must be less than 1.5, found a number (1.5)"])
        XCTAssertEqual(try Self.messages(schema, "{a: '-1'}"), [], "bounds apply to numbers only")
        XCTAssertEqual(
            try Self.messages(schema, "{a: 1e400}"), ["a must be at most 100, found a number too large to represent (∞)"],
            "not \"a number (null)\"")
    }

    func testPatternIsUnanchoredUnlessAnchored() throws {
        let schema = try Self.schema(#"{"properties": {"a": {"pattern": "[0-9]+"}, "b": {"pattern": "^[a-z]+$"}}}"#)
        XCTAssertEqual(try Self.messages(schema, "{a: x1y, b: abc}"), [])
        XCTAssertEqual(
            try Self.messages(schema, "{a: xyz, b: ab1}"),
            [
                #"a must match the pattern "[0-9]+", found a string ("xyz")"#,
                #"b must match the pattern "^[a-z]+$", found a string ("ab1")"#,
            ])
        XCTAssertEqual(try Self.messages(schema, "{a: 5}"), [], "pattern applies to strings only")
    }

    func testLengthsAndCounts() throws {
        let schema = try Self.schema(
            #"{"properties": {"s": {"minLength": 2, "maxLength": 3}, "l": {"minItems": 1, "maxItems": 2}, "m": {"minProperties": 1}}}"#)
        XCTAssertEqual(try Self.messages(schema, "{s: ab, l: [1], m: {a: 1}}"), [])
        XCTAssertEqual(
            try Self.messages(schema, "{s: abcd, l: [], m: {}}"),
            [
                "s must be at most 3 characters long, found 4", "l must have at least 1 item, found 0",
                "m must have at least 1 property, found 0",
            ])
        XCTAssertEqual(try Self.messages(schema, "{s: é}"), ["s must be at least 2 characters long, found 1"])
    }

    func testItemsReportEachItemPath() throws {
        let schema = try Self.schema(#"{"type": "array", "items": {"type": "string"}}"#)
        let violations = try Self.violations(schema, "- a\n- 2\n- c\n- [x]\n")
        XCTAssertEqual(violations.map(\.path), ["1", "3"])
        XCTAssertEqual(violations.map(\.message), ["1 must be a string, found an integer (2)", "3 must be a string, found a list"])
        XCTAssertEqual(violations.map(\.location.description), ["test.yaml:2:3", "test.yaml:4:3"])
    }

    func testUniqueItemsComparesValues() throws {
        let schema = try Self.schema(#"{"uniqueItems": true}"#)
        XCTAssertEqual(try Self.messages(schema, "[1, '1', {a: 1}, {b: 1}]"), [])
        let violations = try Self.violations(schema, "[a, 1, b, 1.0, a]")
        XCTAssertEqual(
            violations.map(\.message),
            [
                "the document must not contain duplicates, found 1 at items 1 and 3",
                #"the document must not contain duplicates, found "a" at items 0 and 4"#,
            ])
        XCTAssertEqual(violations.map(\.location.range?.start.column), [11, 16], "a duplicate points at the later item")
        XCTAssertEqual(violations.map(\.path), ["3", "4"])
        XCTAssertEqual(try Self.messages(schema, "[{a: 1, b: 2}, {b: 2, a: 1}]").count, 1, "key order does not matter")
    }

    func testPropertiesRequiredAndAdditionalProperties() throws {
        let schema = try Self.schema(
            #"""
            {"type": "object", "required": ["name", "image"],
             "properties": {"name": {"type": "string"}, "image": {"type": "string"}},
             "patternProperties": {"^x-": {}}, "additionalProperties": false}
            """#)
        XCTAssertEqual(try Self.messages(schema, "name: a\nimage: b\nx-anything: [1]\n"), [])
        let violations = try Self.violations(schema, "name: a\nimagee: b\n")
        XCTAssertEqual(
            violations.map(\.message),
            [
                #"additional property "imagee" is not allowed at the top level; did you mean "image"?"#,
                #"the document is missing required property "image""#,
            ])
        XCTAssertEqual(violations[0].path, "imagee")
        XCTAssertEqual(violations[0].location.description, "test.yaml:2:1", "an unknown key points at the key")
        XCTAssertEqual(violations[1].location.description, "test.yaml:1:1", "a missing key points at the mapping")
    }

    func testAdditionalPropertiesSchemaValidatesValues() throws {
        let schema = try Self.schema(#"{"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}"#)
        XCTAssertEqual(try Self.messages(schema, "{a: x, b: 1}"), [])
        XCTAssertEqual(try Self.messages(schema, "{a: x, b: y}"), [#"b must be an integer, found a string ("y")"#])
    }

    func testPatternPropertiesApplyToEveryMatchingKey() throws {
        let schema = try Self.schema(#"{"patternProperties": {"^[a-z]+$": {"type": "string"}, "^a": {"minLength": 2}}}"#)
        XCTAssertEqual(try Self.messages(schema, "{ab: xy, B: 1}"), [])
        XCTAssertEqual(
            try Self.messages(schema, "{ab: 1, a: x}"),
            ["ab must be a string, found an integer (1)", "a must be at least 2 characters long, found 1"])
    }

    func testUnevaluatedPropertiesSeesPropertiesOfAllOfBranches() throws {
        let schema = try Self.schema(
            #"""
            {"$defs": {"base": {"type": "object", "properties": {"a": {"type": "string"}}, "patternProperties": {"^x-": {}}}},
             "allOf": [{"$ref": "#/$defs/base"}, {"properties": {"b": {}}}],
             "properties": {"c": {}},
             "unevaluatedProperties": false}
            """#)
        XCTAssertEqual(try Self.messages(schema, "{a: x, b: 1, c: 2, x-y: 3}"), [])
        XCTAssertEqual(try Self.messages(schema, "{a: x, d: 1}"), [#"additional property "d" is not allowed at the top level"#])
        // A failing branch does not also turn its keys into unknown ones.
        XCTAssertEqual(try Self.messages(schema, "{a: 1, b: 1}"), ["a must be a string, found an integer (1)"])
    }

    func testUnevaluatedPropertiesIgnoresFailedAlternatives() throws {
        let schema = try Self.schema(
            #"""
            {"anyOf": [{"properties": {"a": {"type": "string"}}, "required": ["a"]}, {"required": ["b"]}],
             "properties": {"b": {}}, "unevaluatedProperties": false}
            """#)
        XCTAssertEqual(try Self.messages(schema, "{a: x, b: 1}"), [])
        // `a` is only evaluated by the alternative that failed, so it is unevaluated.
        XCTAssertEqual(try Self.messages(schema, "{a: 1, b: 1}"), [#"additional property "a" is not allowed at the top level"#])
        let nested = try Self.schema(#"{"unevaluatedProperties": {"type": "integer"}, "properties": {"a": {}}}"#)
        XCTAssertEqual(try Self.messages(nested, "{a: x, b: y}"), [#"b must be an integer, found a string ("y")"#])
    }

    func testOneOfExplainsTheAlternativeOfTheValuesType() throws {
        let schema = try Self.schema(
            #"""
            {"properties": {"p": {"oneOf": [
                {"type": "number"}, {"type": "string"},
                {"type": "object", "properties": {"target": {"type": "integer"}}, "additionalProperties": false}]}}}
            """#)
        XCTAssertEqual(try Self.messages(schema, "{p: 80}"), [])
        XCTAssertEqual(try Self.messages(schema, "{p: '80:80'}"), [])
        XCTAssertEqual(try Self.messages(schema, "{p: {target: 80}}"), [])
        XCTAssertEqual(try Self.messages(schema, "{p: {target: x}}"), [#"p.target must be an integer, found a string ("x")"#])
        XCTAssertEqual(try Self.messages(schema, "{p: {foo: 1}}"), [#"additional property "foo" is not allowed in p"#])
        XCTAssertEqual(try Self.messages(schema, "{p: [1]}"), ["p must be a number, a string or a mapping, found a list"])
    }

    func testOneOfMatchingTwiceFails() throws {
        let schema = try Self.schema(#"{"oneOf": [{"type": "integer"}, {"minimum": 0}]}"#)
        XCTAssertEqual(try Self.messages(schema, "-1"), [])
        XCTAssertEqual(try Self.messages(schema, "1"), ["the document matches 2 of the allowed forms, expected exactly one"])
    }

    func testAnyOfWithSeveralCandidatesListsEveryReason() throws {
        let schema = try Self.schema(#"{"type": "object", "anyOf": [{"required": ["manual"]}, {"required": ["schedule"]}]}"#)
        XCTAssertEqual(try Self.messages(schema, "{manual: true}"), [])
        XCTAssertEqual(try Self.messages(schema, "{manual: true, schedule: []}"), [])
        XCTAssertEqual(
            try Self.messages(schema, "{}"),
            [
                #"the document matches none of the allowed forms: is missing required property "manual"; "#
                    + #"or is missing required property "schedule""#
            ])
    }

    func testAnyOfWithSeveralCandidatesPrefersTheDeepestExplanation() throws {
        let schema = try Self.schema(
            #"""
            {"anyOf": [{"type": "object", "required": ["a"]},
                       {"type": "object", "properties": {"b": {"properties": {"c": {"type": "string"}}}}}]}
            """#)
        XCTAssertEqual(try Self.messages(schema, "{b: {c: 1}}"), ["b.c must be a string, found an integer (1)"])
    }

    func testNotAndBooleanSchemas() throws {
        let schema = try Self.schema(#"{"properties": {"a": {"not": {"type": "string"}}, "b": false, "c": true}}"#)
        XCTAssertEqual(try Self.messages(schema, "{a: 1, c: anything}"), [])
        XCTAssertEqual(try Self.messages(schema, "{a: x, b: 1}"), ["a must not match the excluded form", "b is not allowed here"])
        XCTAssertEqual(try Self.messages(try Self.schema("false"), "1"), ["the document is not allowed here"])
    }

    func testRecursiveReferencesTerminateOnTheInstance() throws {
        let schema = try Self.schema(
            #"""
            {"$ref": "#/definitions/tree",
             "definitions": {"tree": {"type": "object", "required": ["v"],
                "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/definitions/tree"}}}}}}
            """#)
        XCTAssertEqual(try Self.messages(schema, "{v: 1, kids: [{v: 2, kids: [{v: 3}]}]}"), [])
        XCTAssertEqual(
            try Self.messages(schema, "{v: 1, kids: [{v: 2, kids: [{}]}]}"),
            [#"kids.0.kids.0 is missing required property "v""#])
        var deep = "{v: 0}"
        for i in 1...100 { deep = "{v: \(i), kids: [\(deep)]}" }
        XCTAssertEqual(try Self.messages(schema, deep), [])
        // The loader's deepest document, validated on a thread with a small stack.
        var deepest = "{v: 0}"
        for i in 1...127 { deepest = "{v: \(i), kids: [\(deepest)]}" }
        let document = try XCTUnwrap(YAMLLoader.parse(deepest, file: "deep.yaml").first)
        let done = expectation(description: "validated")
        let thread = Thread {
            XCTAssertEqual(schema.validate(document), [])
            done.fulfill()
        }
        thread.stackSize = 4 << 20
        thread.start()
        wait(for: [done], timeout: 30)
    }

    func testOverlyLongReferenceChainsStopWithAViolation() throws {
        let links = (0..<700).map { "\"d\($0)\": {\"$ref\": \"#/$defs/d\($0 + 1)\"}" }.joined(separator: ", ")
        let schema = try Self.schema("{\"$ref\": \"#/$defs/d0\", \"$defs\": {\(links), \"d700\": {\"type\": \"string\"}}}")
        XCTAssertEqual(try Self.messages(schema, "1"), ["the document nests too deeply to validate"])
    }

    func testRefsResolveEscapedPointersAndTheDocumentID() throws {
        let schema = try Self.schema(
            #"""
            {"$id": "s.json", "$defs": {"a/b": {"type": "string"}, "c~d": {"$ref": "s.json#/$defs/a~1b"}},
             "properties": {"x": {"$ref": "#/$defs/c~0d"}, "y": {"$ref": "#/properties/x"}}}
            """#)
        XCTAssertEqual(try Self.messages(schema, "{x: a, y: b}"), [])
        XCTAssertEqual(try Self.messages(schema, "{y: 1}"), ["y must be a string, found an integer (1)"])
    }

    func testInvalidSchemasAreRefused() {
        let cases: [(String, String)] = [
            (##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}}"##, "references loop"),
            (##"{"$ref": "#/$defs/missing"}"##, "points to nothing"),
            (#"{"$ref": "other.json#/x"}"#, "points outside the schema"),
            (#"{"type": "text"}"#, #"unknown type "text""#),
            (#"{"pattern": "(unclosed"}"#, "not a valid regular expression"),
            (#"{"if": {}}"#, #"keyword "if" is not supported"#),
            (#"{"items": [{}]}"#, "tuple validation"),
            (#"{"properties": {"a": 5}}"#, "expected a schema"),
            (#"{"minItems": -1}"#, "non-negative integer"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try JSONSchema(json: text, file: "s.json"), text) { error in
                let message = (error as? CoreError)?.errorDescription ?? ""
                XCTAssertTrue(message.contains(expected), "\(text): \(message)")
                XCTAssertTrue(message.hasPrefix("s.json:1:"), "\(text): \(message)")
            }
        }
    }

    func testViolationsAreMostSpecificFirstThenInDocumentOrder() throws {
        let schema = try Self.schema(
            #"""
            {"properties": {"a": {"type": "string"}, "b": {"properties": {"c": {"type": "string"}}}, "d": {"type": "string"}},
             "required": ["z"]}
            """#)
        let violations = try Self.violations(schema, "a: 1\nb:\n  c: 2\nd: 3\n")
        XCTAssertEqual(violations.map(\.path), ["b.c", "a", "d", ""])
        XCTAssertEqual(violations.map(\.location.description), ["test.yaml:3:6", "test.yaml:1:4", "test.yaml:4:4", "test.yaml:1:1"])
        XCTAssertEqual(violations[0].description, "test.yaml:3:6: b.c must be a string, found an integer (2)")
    }

    func testSimplePatternsAgreeWithTheRegexEngine() throws {
        let patterns = [
            "^x-", "^[a-zA-Z0-9._-]+$", ".+", "^.+$", "^[a-z]+$", "[a-zA-Z0-9][a-zA-Z0-9_.-]+", "^a?b*c$", "\\d+\\.\\d",
            "^[^a-c]+$", "colou?r", "^$", "a.c", "^[\\w-]+$", "x$",
        ]
        let texts = [
            "", "x-", "x-foo", "web", "Web_1.a", "a b", "a\nb", "abc", "bbbc", "c", "ac", "1.5", "v12.0", "dd",
            "color", "colour", "colouur", "é", "-", "a-b", "axc", "x", "yx", "xy", "\n", "x\n",
        ]
        for source in patterns {
            let pattern = try XCTUnwrap(SchemaPattern(source))
            XCTAssertTrue(pattern.isSimple, source)
            let regex = try NSRegularExpression(pattern: source)
            // ICU departs from ECMA-262 here: its `$` also matches before a final newline and its
            // `\w` is Unicode-aware.
            for text in texts where !text.hasSuffix("\n") && !(source.contains("\\w") && text == "é") {
                let expected = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                XCTAssertEqual(pattern.matches(text), expected, "/\(source)/ on \(String(reflecting: text))")
            }
        }
        XCTAssertFalse(try XCTUnwrap(SchemaPattern("x$")).matches("x\n"))
        XCTAssertFalse(try XCTUnwrap(SchemaPattern("^\\w+$")).matches("é"))
        XCTAssertTrue(try XCTUnwrap(SchemaPattern("^x")).matches("x\n"))
        XCTAssertFalse(try XCTUnwrap(SchemaPattern("^(always|never)$")).isSimple)
        XCTAssertTrue(try XCTUnwrap(SchemaPattern("^(always|never)$")).matches("never"))
        XCTAssertNil(SchemaPattern("[z-a]"))
    }

    // MARK: - The Compose Specification schema

    func testComposeExamplesFromAwesomeComposeAreValid() throws {
        let corpus = "/work/shared/corpus/awesome-compose"
        guard let folders = try? FileManager.default.contentsOfDirectory(atPath: corpus) else {
            throw XCTSkip("\(corpus) is not present")
        }
        let schema = try Self.composeSchema()
        var checked = 0
        for folder in folders.sorted() {
            for name in ["compose.yaml", "compose.yml"] {
                let path = "\(corpus)/\(folder)/\(name)"
                guard FileManager.default.fileExists(atPath: path) else { continue }
                for document in try YAMLLoader.load(path: path) {
                    XCTAssertEqual(schema.validate(document).map(\.description), [], path)
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    func testComposePortsMustBeAList() throws {
        let violations = try Self.composeViolations("services:\n  web:\n    image: x\n    ports: 80\n")
        XCTAssertEqual(violations.map(\.description), ["compose.yaml:4:12: services.web.ports must be a list, found an integer (80)"])
        XCTAssertEqual(violations.first?.path, "services.web.ports")
    }

    func testComposeUnknownServiceKeyNamesTheKey() throws {
        let violations = try Self.composeViolations("services:\n  web:\n    imagee: nginx\n")
        XCTAssertEqual(
            violations.map(\.description),
            [
                #"compose.yaml:3:5: additional property "imagee" is not allowed in services.web; did you mean "image"?"#
            ])
        XCTAssertEqual(violations.first?.path, "services.web.imagee")
    }

    func testComposeReplicasTypes() throws {
        // This schema types `replicas` as integer or string (a string may hold an interpolation), so
        // "two" passes the schema; turning it into a number is the Compose model's job.
        XCTAssertEqual(try Self.composeViolations("services: {web: {image: x, deploy: {replicas: \"two\"}}}"), [])
        XCTAssertEqual(try Self.composeViolations("services: {web: {image: x, deploy: {replicas: 2}}}"), [])
        let violations = try Self.composeViolations("services:\n  web:\n    image: x\n    deploy: {replicas: [2]}\n")
        XCTAssertEqual(violations.map(\.message), ["services.web.deploy.replicas must be an integer or a string, found a list"])
        XCTAssertEqual(violations.first?.location.description, "compose.yaml:4:24")
        XCTAssertEqual(
            try Self.composeViolations("services: {web: {image: x, deploy: {resources: {limits: {cpus: [1]}}}}}").map(\.message),
            ["services.web.deploy.resources.limits.cpus must be a number or a string, found a list"])
    }

    func testComposeRestartIsAString() throws {
        // The schema types `restart` as a string: 5 is rejected, "no" (plain, YAML 1.2) is fine.
        XCTAssertEqual(
            try Self.composeViolations("services: {web: {image: x, restart: 5}}").map(\.message),
            ["services.web.restart must be a string, found an integer (5)"])
        XCTAssertEqual(try Self.composeViolations("services: {web: {image: x, restart: no}}"), [])
    }

    func testComposeTopLevelKeys() throws {
        XCTAssertEqual(try Self.composeViolations("x-foo: {a: 1}\nservices: {web: {image: x, x-bar: 2}}\n"), [])
        let violations = try Self.composeViolations("servics:\n  web: {image: x}\n")
        XCTAssertEqual(
            violations.map(\.description),
            [
                #"compose.yaml:1:1: additional property "servics" is not allowed at the top level; did you mean "services"?"#
            ])
    }

    func testComposeNamesMustMatchTheirPattern() throws {
        XCTAssertEqual(
            try Self.composeViolations("services: {\"web app\": {image: x}}").map(\.description),
            [#"compose.yaml:1:12: additional property "web app" is not allowed in services; keys must match "^[a-zA-Z0-9._-]+$""#])
    }

    func testComposeAlternativesAreExplained() throws {
        XCTAssertEqual(
            try Self.composeViolations("services: {web: {image: x, environment: 5}}").map(\.message),
            ["services.web.environment must be a mapping or a list, found an integer (5)"])
        XCTAssertEqual(
            try Self.composeViolations("services: {web: {image: x, ports: [{target: 80, publishd: 8080}]}}").map(\.message),
            [#"additional property "publishd" is not allowed in services.web.ports.0; did you mean "published"?"#])
        XCTAssertEqual(
            try Self.composeViolations("services: {web: {image: x, command: 5}}").map(\.message),
            ["services.web.command must be null, a string or a list, found an integer (5)"])
        XCTAssertEqual(
            try Self.composeViolations("services: {web: {image: 5}}").map(\.message),
            ["services.web.image must be a string, found an integer (5)"])
        XCTAssertEqual(
            try Self.composeViolations("services: {web: nginx}").map(\.message),
            [#"services.web must be a mapping, found a string ("nginx")"#])
    }

    func testComposeValidationIsFast() throws {
        let schema = try Self.composeSchema()
        var text = "name: big\nservices:\n"
        for i in 0..<100 {
            text += """
                  svc\(i):
                    image: registry.example.com/team/svc\(i):1.\(i)
                    ports: ["80\(i % 10):80", {target: 443, published: "84\(i % 10)", protocol: tcp}]
                    environment: {A: "1", B: two, C: 3}
                    depends_on: {db: {condition: service_healthy}}
                    deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 512M}}}
                    healthcheck: {test: [CMD, curl, -f, http://localhost], interval: 10s, retries: 3}
                    volumes: [data:/data, ./conf:/etc/conf:ro]
                    labels: [a=b, c=d]
                    x-extra: {anything: [1, 2]}

                """
        }
        let document = try XCTUnwrap(YAMLLoader.parse(text, file: "big.yaml").first)
        XCTAssertEqual(schema.validate(document), [])
        let start = Date()
        for _ in 0..<5 { _ = schema.validate(document) }
        let perRun = Date().timeIntervalSince(start) / 5
        print("validating 100 services took \(Int(perRun * 1000)) ms")
        XCTAssertLessThan(perRun, 0.5, "even an unoptimised build must stay well under a second")
    }

    func testOtherPublishedSchemasCompile() throws {
        let sarif = "/work/shared/schemas/sarif-schema-2.1.0.json"
        guard FileManager.default.fileExists(atPath: sarif) else { throw XCTSkip("\(sarif) is not present") }
        let schema = try JSONSchema(node: try XCTUnwrap(YAMLLoader.load(path: sarif).first))
        let log = #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "komply"}}, "results": []}]}"#
        XCTAssertEqual(try Self.messages(schema, log), [])
        XCTAssertFalse(try Self.messages(schema, #"{"version": "2.1.0"}"#).isEmpty)
    }
}

private extension SchemaValidatorTests {
    static func schema(_ json: String) throws -> JSONSchema {
        try JSONSchema(json: json, file: "schema.json")
    }

    static func violations(_ schema: JSONSchema, _ yaml: String, file: String = "test.yaml") throws -> [SchemaViolation] {
        let document = try XCTUnwrap(YAMLLoader.parse(yaml, file: file).first)
        let violations = schema.validate(document)
        XCTAssertEqual(schema.isValid(document), violations.isEmpty, yaml)
        return violations
    }

    static func messages(_ schema: JSONSchema, _ yaml: String) throws -> [String] {
        try violations(schema, yaml).map(\.message)
    }

    static let composeSchemaPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/KomplySources/Schema/compose-spec.json").path

    static func composeSchema() throws -> JSONSchema {
        try JSONSchema(node: try XCTUnwrap(YAMLLoader.load(path: composeSchemaPath).first))
    }

    static func composeViolations(_ yaml: String) throws -> [SchemaViolation] {
        try violations(try composeSchema(), yaml, file: "compose.yaml")
    }
}
