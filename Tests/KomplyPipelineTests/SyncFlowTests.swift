import Foundation
import KomplyCore
import KomplyGit
import KomplySources
import XCTest

@testable import KomplyPipeline

/// `komply sync` as a library call: a real repository (git CLI), generation committed onto
/// `komply/<app>` through libgit2 without touching the worktree or the index, and no commit when
/// nothing changed.
final class SyncFlowTests: XCTestCase {
    var repo = ""

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "the git CLI is not installed")
        repo =
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-sync-\(UUID().uuidString.prefix(8))")
            .resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: repo + "/apps/shop", withIntermediateDirectories: true)
        try Data("services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n".utf8).write(
            to: URL(fileURLWithPath: repo + "/apps/shop/compose.yaml"))
        try git("init", "-q", "-b", "main")
        try git("add", "-A")
        try git("commit", "-q", "-m", "app")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: repo)
    }

    func git(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", repo] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        for key in ["AUTHOR", "COMMITTER"] {
            environment["GIT_\(key)_NAME"] = "Test"
            environment["GIT_\(key)_EMAIL"] = "test@example.com"
        }
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "git \(arguments.joined(separator: " "))")
    }

    func sync() async throws -> [String] {
        let generate = GenerateRequest(sources: SourceRequest(paths: [repo + "/apps/shop"]), output: repo + "/deploy", noPredict: true)
        var lines: [String] = []
        try await SyncFlow.run(SyncRequest(generate: generate), from: repo) { lines.append($0) }
        return lines
    }

    func testGenerationIsCommittedOntoTheAppBranchAndARerunCommitsNothing() async throws {
        let first = try await sync()
        XCTAssertTrue(first.contains { $0.hasPrefix("committed ") && $0.hasSuffix(" on komply/shop (shop)") }, "\(first)")
        let repository = try GitRepository(path: repo)
        let files = try repository.files(at: "komply/shop", under: "deploy")
        XCTAssertTrue(files.keys.contains("deploy/shop/base/kustomization.yaml"), "\(files.keys.sorted())")
        XCTAssertTrue(files.keys.contains("deploy/shop/base/web.yaml"), "\(files.keys.sorted())")
        XCTAssertFalse(FileManager.default.fileExists(atPath: repo + "/deploy"), "the worktree is not touched")
        XCTAssertEqual(try repository.stagedChanges(), [], "the index is not touched")
        let message = try repository.commit("komply/shop").message
        XCTAssertTrue(message.contains("Komply-Version: "), message)
        let second = try await sync()
        XCTAssertTrue(second.contains("komply/shop is up to date; no commit"), "\(second)")
    }

    func testAnOutputFolderOutsideTheRepositoryIsRefused() async throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("komply-out-\(UUID().uuidString.prefix(8))").path
        let generate = GenerateRequest(sources: SourceRequest(paths: [repo + "/apps/shop"]), output: outside, noPredict: true)
        do {
            try await SyncFlow.run(SyncRequest(generate: generate), from: repo) { _ in }
            XCTFail("an output folder outside the repository was accepted")
        } catch let error as PipelineError {
            guard case .outputOutsideRepository = error else { return XCTFail("\(error)") }
        }
    }

    /// `sync --env production` commits production's overlay and leaves staging's as the branch has it; a full
    /// sync after staging left komply.yaml removes its files and lists them in the commit message.
    func testSyncOfOneEnvironmentKeepsTheOthersAndListsRemovals() async throws {
        func configure(_ environments: String) throws {
            try Data("apiVersion: komply.dev/v1\nkind: Config\nenvironments:\n\(environments)".utf8)
                .write(to: URL(fileURLWithPath: repo + "/komply.yaml"))
        }
        func sync(_ environments: [String]) async throws -> [String] {
            let generate = GenerateRequest(
                sources: SourceRequest(paths: [repo + "/apps/shop"]), output: repo + "/deploy", environments: environments,
                config: repo + "/komply.yaml", noPredict: true)
            var lines: [String] = []
            try await SyncFlow.run(SyncRequest(generate: generate), from: repo) { lines.append($0) }
            return lines
        }
        let staging = "deploy/shop/overlays/staging/kustomization.yaml"
        try configure("  - name: staging\n    replicas: 1\n  - name: production\n    replicas: 3\n")
        _ = try await sync([])
        let repository = try GitRepository(path: repo)
        let before = try repository.files(at: "komply/shop", under: "deploy")
        XCTAssertNotNil(before[staging], "\(before.keys.sorted())")

        try configure("  - name: staging\n    replicas: 2\n  - name: production\n    replicas: 4\n")
        let production = try await sync(["production"])
        XCTAssertTrue(production.contains { $0.hasPrefix("committed ") }, "\(production)")
        let after = try repository.files(at: "komply/shop", under: "deploy")
        XCTAssertEqual(after[staging], before[staging], "sync --env production changed staging's overlay")
        XCTAssertTrue(
            String(decoding: after["deploy/shop/overlays/production/kustomization.yaml"] ?? Data(), as: UTF8.self).contains(
                #"/spec/minReplicas\",\"value\":4"#))

        try configure("  - name: production\n")
        let all = try await sync([])
        XCTAssertTrue(all.contains("removed \(staging) (no longer generated)"), "\(all)")
        XCTAssertNil(try repository.files(at: "komply/shop", under: "deploy")[staging])
        let message = try repository.commit("komply/shop").message
        XCTAssertTrue(message.contains("Removed (no longer generated):\n"), message)
        XCTAssertTrue(message.contains("- \(staging)"), message)
        XCTAssertTrue(CommitMessage.trailers(of: message).contains { $0.key == "Komply-Version" }, message)
    }
}
