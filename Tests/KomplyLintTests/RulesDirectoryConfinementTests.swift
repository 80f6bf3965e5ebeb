import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// A rules folder komply.yaml names is read only inside the repository (issue 14, item 1): a
/// symbolic link to a folder or a file elsewhere is refused, never read, in a worktree as in a
/// `--ref` snapshot's copy.
final class RulesDirectoryConfinementTests: XCTestCase {
    func testALinkedRulesFolderOrRuleFileOutsideIsRefused() throws {
        let top = Paths.canonical(
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-rules-\(UUID().uuidString.prefix(8))").path)
        defer { try? FileManager.default.removeItem(atPath: top) }
        for folder in [top + "/repo/.git", top + "/repo/policy", top + "/outside"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let rule = try String(contentsOfFile: LintTestSupport.path("rules/security/run-as-root.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "id: run-as-root", with: "id: team-run-as-root")
        try Data(rule.utf8).write(to: URL(fileURLWithPath: top + "/outside/team-run-as-root.yaml"))
        try Data("apiVersion: komply.dev/v1\nkind: Config\npolicy:\n  rulesDirectories: [policy/rules]\n".utf8)
            .write(to: URL(fileURLWithPath: top + "/repo/komply.yaml"))
        let config = try PolicyConfig.load(path: top + "/repo/komply.yaml")

        try FileManager.default.createSymbolicLink(atPath: top + "/repo/policy/rules", withDestinationPath: top + "/outside")
        XCTAssertThrowsError(try Linter(config: config)) { error in
            guard case .core(.pathEscapesRoot(_, _, let through))? = error as? LintError else { return XCTFail("\(error)") }
            XCTAssertTrue(through.contains("the symbolic link \"policy/rules\""), through)
        }

        try FileManager.default.removeItem(atPath: top + "/repo/policy/rules")
        try FileManager.default.createDirectory(atPath: top + "/repo/policy/rules", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: top + "/repo/policy/rules/team.yaml", withDestinationPath: top + "/outside/team-run-as-root.yaml")
        XCTAssertThrowsError(try Linter(config: config)) { error in
            guard case .core(.pathEscapesRoot)? = error as? LintError else { return XCTFail("\(error)") }
        }

        // Inside the repository the same file is read.
        try FileManager.default.removeItem(atPath: top + "/repo/policy/rules/team.yaml")
        try Data(rule.utf8).write(to: URL(fileURLWithPath: top + "/repo/policy/rules/team.yaml"))
        XCTAssertNoThrow(try Linter(config: config))
    }
}
