import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// Linting the whole repository as context but reporting only the named files (pre-commit).
final class ResultScopeTests: XCTestCase {
    func testOnlyTheNamedFilesAreReported() throws {
        let pod = { (name: String) in
            "apiVersion: v1\nkind: Pod\nmetadata: {name: \(name), namespace: shop}\nspec:\n  containers:\n    - name: app\n      image: nginx:latest\n"
        }
        let linter = try Linter(only: ["latest-image-tag"], today: LintTestSupport.today)
        let whole = linter.lint(sources: [
            ManifestSource(file: "a.yaml", text: pod("a")), ManifestSource(file: "b.yaml", text: pod("b")),
            ManifestSource(file: "c.yaml", text: "kind: [broken\n"),
        ])
        XCTAssertEqual(Set(whole.findings.map(\.location.file)), ["a.yaml", "b.yaml"])
        XCTAssertEqual(whole.problems.count, 1)
        let scoped = whole.scoped(to: ["a.yaml"])
        XCTAssertEqual(scoped.findings.map(\.location.file), ["a.yaml"])
        XCTAssertEqual(scoped.files, ["a.yaml"])
        XCTAssertEqual(Array(scoped.texts.keys), ["a.yaml"])
        XCTAssertEqual(scoped.objectCount, 1)
        XCTAssertEqual(scoped.problems, [], "a broken file that was only context is not reported")
        XCTAssertEqual(whole.scoped(to: ["c.yaml"]).problems.count, 1)
    }
}
