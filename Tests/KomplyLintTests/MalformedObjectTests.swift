import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// An object whose `apiVersion`, `kind`, `metadata` or container list has the wrong type is reported
/// with its position (exit 2), never passed as clean; the file's other objects are still linted.
final class MalformedObjectTests: XCTestCase {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: shop}\nspec: {containers: [{name: a, image: 'nginx:latest'}]}\n"

    func lint(_ text: String) throws -> Linter.Result {
        try Linter(only: ["latest-image-tag"], today: LintTestSupport.today).lint(sources: [ManifestSource(file: "m.yaml", text: text)])
    }

    func testEachWrongTypeIsAProblemWithItsPosition() throws {
        let cases: [(String, String)] = [
            ("apiVersion: v1\nkind: [Pod]\nmetadata: {name: p}\n", "m.yaml:2:7: kind must be a string, found a list"),
            ("apiVersion: {v: 1}\nkind: Pod\nmetadata: {name: p}\n", "m.yaml:1:13: apiVersion must be a string, found a mapping"),
            ("apiVersion: v1\nkind: Pod\nmetadata: [x]\nspec: {containers: []}\n", "m.yaml:3:11: metadata must be a mapping, found a list"),
            (
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: {name: a}}\n",
                "m.yaml:4:20: spec.containers must be a list of containers, found a mapping"
            ),
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [nginx]\n",
                "m.yaml:7:20: each item of spec.template.spec.containers must be a container mapping, found a string"
            ),
        ]
        for (text, expected) in cases {
            let result = try lint(text + "---\n" + pod)
            XCTAssertEqual(result.problems.map(\.localizedDescription), [expected + "; expected a Kubernetes object"], text)
            XCTAssertEqual(result.objectCount, 1, "the file's well-formed object is still linted\n" + text)
            XCTAssertEqual(result.findings.map(\.object.name), ["ok"], text)
        }
    }

    func testListItemsAreCheckedAndNullFieldsAreNotWrongTypes() throws {
        let list = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: 7\n"
        XCTAssertEqual(try lint(list).problems.count, 1)
        let nulls = "apiVersion: v1\nkind: Pod\nmetadata:\nspec: {containers: [{name: a, image: 'nginx:1.27'}], initContainers: null}\n"
        let result = try lint(nulls)
        XCTAssertEqual(result.problems, [])
        XCTAssertEqual(result.objectCount, 1)
    }

    func testProblemsAreScopedToTheirFile() throws {
        let result = try Linter(only: ["latest-image-tag"], today: LintTestSupport.today).lint(sources: [
            ManifestSource(file: "bad.yaml", text: "apiVersion: v1\nkind: [Pod]\n"), ManifestSource(file: "good.yaml", text: pod),
        ])
        XCTAssertEqual(result.problems.count, 1)
        XCTAssertEqual(result.scoped(to: ["good.yaml"]).problems, [])
        XCTAssertEqual(result.scoped(to: ["bad.yaml"]).problems.count, 1)
    }
}
