import Foundation
import KomplyCore
import XCTest

/// No file outside the repository is ever read (issue 14, item 1), through the built binary: the
/// worktree and the staged index (`generate --check --staged`, the pre-commit hook) refuse the same
/// escapes with the same repository-relative position, and nothing of the host file reaches output.
final class ConfinementCommandTests: XCTestCase {
    func testWorktreeAndStagedIndexRefuseTheSameEscapes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-confine-cli-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repo = folder + "/repo"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try SyncGit.run(repo, "init", "-q", "-b", "main")
        try FileManager.default.copyItem(atPath: CLIHarness.repository.path + "/fixtures/generate/web-db/input", toPath: repo + "/app")
        try SyncGit.run(repo, "add", "-A")
        try SyncGit.run(repo, "commit", "-q", "-m", "the app")
        let generate = try CLIHarness.run(["generate", "app", "--no-predict"], in: URL(fileURLWithPath: repo))
        XCTAssertEqual(generate.status, 0, generate.stderr)
        try SyncGit.run(repo, "add", "-A")
        try SyncGit.run(repo, "commit", "-q", "-m", "generated")

        let cases: [(text: String, link: (String, String)?, expected: String)] = [
            (
                "services:\n  proxy:\n    volumes: [\"../../../../../../etc/passwd:/p\"]\n", nil,
                "app/compose.override.yaml:3:15: \"../../../../../../etc/passwd\" leads outside the repository through \"..\""
            ),
            (
                "services:\n  proxy:\n    volumes: [\"./conf.d/host.conf:/etc/x\"]\n", ("app/conf.d", "/etc"),
                "app/compose.override.yaml:3:15: \"./conf.d/host.conf\" leads outside the repository through the symbolic link \"app/conf.d\" → \"/etc\""
            ),
            (
                "services:\n  api:\n    env_file: ./host.env\n", ("app/host.env", "/etc/hostname"),
                "app/compose.override.yaml:3:15: \"./host.env\" leads outside the repository through the symbolic link \"app/host.env\""
            ),
        ]
        for (text, link, expected) in cases {
            try text.write(toFile: repo + "/app/compose.override.yaml", atomically: true, encoding: .utf8)
            if let (path, target) = link {
                try FileManager.default.createSymbolicLink(atPath: repo + "/" + path, withDestinationPath: target)
            }
            let worktree = try CLIHarness.run(["generate", "app", "--check", "--no-predict"], in: URL(fileURLWithPath: repo))
            XCTAssertEqual(worktree.status, 2, worktree.stderr)
            XCTAssertTrue(worktree.stderr.contains(expected), "\(expected) in \(worktree.stderr)")

            // Staged, then removed from the worktree: only the index escapes.
            try SyncGit.run(repo, "add", "-A")
            try FileManager.default.removeItem(atPath: repo + "/app/compose.override.yaml")
            if let (path, _) = link { try FileManager.default.removeItem(atPath: repo + "/" + path) }
            let staged = try CLIHarness.run(["generate", "app", "--check", "--staged", "--no-predict"], in: URL(fileURLWithPath: repo))
            XCTAssertEqual(staged.status, 2, staged.stderr)
            XCTAssertTrue(staged.stderr.contains(expected), "\(expected) in \(staged.stderr)")
            for output in [worktree.stdout + worktree.stderr, staged.stdout + staged.stderr] {
                XCTAssertFalse(output.contains("root:x:0:0") || output.contains("komply-snapshot"), output)
            }
            try SyncGit.run(repo, "reset", "-q", "--hard", "HEAD")
        }
    }

    /// A consented host path is generated lint-clean until its expiry (the consent is the recorded
    /// risk acceptance) and flagged again after it; an unconsented one is left out with its line.
    func testAConsentedHostPathLintsCleanUntilItExpires() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-hostpath-cli-\(UUID().uuidString.prefix(8))")
            .path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/.git", withIntermediateDirectories: true)
        for (expires, status) in [("2999-12-31", Int32(0)), ("2000-01-01", Int32(1))] {
            let compose = """
                services:
                  ci:
                    image: docker:27
                    healthcheck: {test: ["CMD", "docker", "info"]}
                    volumes:
                      - /var/run/docker.sock:/var/run/docker.sock:ro
                      - /srv/cache:/cache
                    x-komply:
                      hostPath:
                        /var/run/docker.sock: {reason: CI runner builds images, expires: "\(expires)"}

                """
            try compose.write(toFile: folder + "/compose.yaml", atomically: true, encoding: .utf8)
            let generate = try CLIHarness.run(["generate", ".", "-o", "deploy", "--no-predict"], in: URL(fileURLWithPath: folder))
            XCTAssertEqual(generate.status, 0, generate.stderr)
            XCTAssertTrue(generate.stderr.contains("compose.yaml:7:9: warning: service ci: bind mount /srv/cache:/cache is a host path"))
            let app = (folder as NSString).lastPathComponent.lowercased()
            let lint = try CLIHarness.run(["lint", "deploy/\(app)/base"], in: URL(fileURLWithPath: folder))
            XCTAssertEqual(lint.status, status, "\(expires): \(lint.stdout)")
        }
    }
}
