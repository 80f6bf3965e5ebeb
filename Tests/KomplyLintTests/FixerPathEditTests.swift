import KomplyCore
import XCTest

@testable import KomplyLint

/// `Fixer.applying`: edits named by a path from a document's root (as `lint --fix --llm` writes accepted
/// refinements) change only their lines, keep the file's line ends, and are all applied or none.
final class FixerPathEditTests: XCTestCase {
    let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api # the API
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: api:1
                  env:
                    - name: MODE
                      value: fast
        """

    let container: [Fixer.PathStep] = [.key("spec"), .key("template"), .key("spec"), .key("containers"), .index(0)]

    func testAnEnvEntryIsAppendedAsABlockItemAndMissingMappingsAreCreated() throws {
        let edits = [
            Fixer.PathEdit(
                document: 0, path: container + [.key("env"), .append],
                value: .members([("name", .string("JAVA_TOOL_OPTIONS")), ("value", .string("-Xmx512m"))])),
            Fixer.PathEdit(document: 0, path: container + [.key("resources"), .key("limits"), .key("memory")], value: .string("768Mi")),
            Fixer.PathEdit(document: 0, path: [.key("metadata"), .key("annotations"), .key("komply.dev/refined")], value: .string("m")),
        ]
        let text = try Fixer.applying(edits, to: deployment.replacingOccurrences(of: "\n", with: "\r\n"), file: "api.yaml")
        XCTAssertEqual(
            text,
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api # the API
              annotations:
                komply.dev/refined: m
            spec:
              template:
                spec:
                  containers:
                    - name: api
                      image: api:1
                      env:
                        - name: MODE
                          value: fast
                        - name: JAVA_TOOL_OPTIONS
                          value: -Xmx512m
                      resources:
                        limits:
                          memory: 768Mi

            """.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    func testAnEditThatCannotBePlacedRefusesTheWholeSet() {
        let flow = deployment.replacingOccurrences(of: "metadata:\n  name: api # the API", with: "metadata: {name: api}")
        let edits = [
            Fixer.PathEdit(document: 0, path: container + [.key("image")], value: .string("api:2")),
            Fixer.PathEdit(document: 0, path: [.key("metadata"), .key("annotations"), .key("komply.dev/refined")], value: .string("m")),
        ]
        XCTAssertThrowsError(try Fixer.applying(edits, to: flow, file: "api.yaml")) { error in
            XCTAssertTrue((error as? Fixer.Refusal)?.reason.contains("cannot be placed") == true, "\(error)")
        }
        XCTAssertThrowsError(
            try Fixer.applying(
                [Fixer.PathEdit(document: 0, path: container.dropLast() + [.index(3), .key("image")], value: .string("x"))], to: deployment,
                file: "api.yaml"))
    }
}
