import Foundation
import XCTest

@testable import KomplyGit

final class RepositoryInfoTests: XCTestCase {
    func testUnbornRepository() throws {
        let repo = try makeRepository()
        let info = try XCTUnwrap(RepositoryInfo.discover(from: repo))
        XCTAssertEqual(info.root, realPath(repo))
        XCTAssertEqual(info.gitDirectory, realPath(repo) + "/.git")
        XCTAssertNil(info.headCommit, "no commit yet")
        XCTAssertEqual(info.headBranch, "main")
        XCTAssertNil(info.remoteURL())
    }

    func testHeadCommitMatchesGitThroughLooseAndPackedRefs() throws {
        let repo = try makeRepository()
        try commit(repo, "first")
        let info = try XCTUnwrap(RepositoryInfo.discover(from: repo))
        XCTAssertEqual(info.headCommit, try git(repo, "rev-parse", "HEAD"))
        try commit(repo, "second")
        XCTAssertEqual(info.headCommit, try git(repo, "rev-parse", "HEAD"))
        // After pack-refs the branch exists only in packed-refs.
        _ = try git(repo, "tag", "-a", "v1", "-m", "release")
        _ = try git(repo, "pack-refs", "--all")
        XCTAssertFalse(FileManager.default.fileExists(atPath: repo + "/.git/refs/heads/main"))
        XCTAssertEqual(info.headCommit, try git(repo, "rev-parse", "HEAD"))
        XCTAssertEqual(info.headCommit?.count, 40)
    }

    func testBranchWithSlashesAndSymbolicRefs() throws {
        let repo = try makeRepository()
        try commit(repo, "first")
        _ = try git(repo, "branch", "feature/login")
        _ = try git(repo, "symbolic-ref", "HEAD", "refs/heads/feature/login")
        try commit(repo, "on feature")
        let info = try XCTUnwrap(RepositoryInfo.discover(from: repo))
        XCTAssertEqual(info.headBranch, "feature/login")
        XCTAssertEqual(info.headCommit, try git(repo, "rev-parse", "HEAD"))
        // HEAD → refs/heads/alias → refs/heads/feature/login
        _ = try git(repo, "symbolic-ref", "refs/heads/alias", "refs/heads/feature/login")
        _ = try git(repo, "symbolic-ref", "HEAD", "refs/heads/alias")
        XCTAssertEqual(info.headCommit, try git(repo, "rev-parse", "HEAD"))
    }

    func testDetachedHead() throws {
        let repo = try makeRepository()
        try commit(repo, "first")
        let first = try git(repo, "rev-parse", "HEAD")
        try commit(repo, "second")
        _ = try git(repo, "update-ref", "--no-deref", "HEAD", first)
        let info = try XCTUnwrap(RepositoryInfo.discover(from: repo))
        XCTAssertNil(info.headBranch)
        XCTAssertEqual(info.headCommit, first)
        XCTAssertEqual(info.headCommit, try git(repo, "rev-parse", "HEAD"))
    }

    func testDiscoverWalksUpFromNestedFolders() throws {
        let repo = try makeRepository()
        try commit(repo, "first")
        try FileManager.default.createDirectory(atPath: repo + "/apps/shop/conf", withIntermediateDirectories: true)
        let info = try XCTUnwrap(RepositoryInfo.discover(from: repo + "/apps/shop/conf"))
        XCTAssertEqual(info.root, realPath(repo))
        XCTAssertEqual(RepositoryInfo.discover(from: repo + "/apps/../apps/shop")?.root, realPath(repo))
        let outside = try temporaryDirectory()
        XCTAssertNil(RepositoryInfo.discover(from: outside))
    }

    func testLinkedWorktreeUsesGitdirFileAndCommonDir() throws {
        let repo = try makeRepository()
        try commit(repo, "first")
        _ = try git(repo, "remote", "add", "origin", "git@github.com:acme/shop.git")
        let worktree = try temporaryDirectory() + "/wt"
        _ = try git(repo, "worktree", "add", "-b", "feature", worktree)
        try commit(worktree, "in worktree")
        let info = try XCTUnwrap(RepositoryInfo.discover(from: worktree))
        XCTAssertEqual(info.root, realPath(worktree))
        XCTAssertNotEqual(info.gitDirectory, info.commonDirectory)
        XCTAssertEqual(info.headBranch, "feature")
        XCTAssertEqual(info.headCommit, try git(worktree, "rev-parse", "HEAD"))
        XCTAssertNotEqual(info.headCommit, try git(repo, "rev-parse", "HEAD"))
        XCTAssertEqual(info.remoteURL(), "git@github.com:acme/shop.git")
    }

    func testRelativeGitdirFile() throws {
        let repo = try makeRepository()
        try commit(repo, "first")
        let checkout = try temporaryDirectory()
        try FileManager.default.moveItem(atPath: repo + "/.git", toPath: checkout + "/store.git")
        try FileManager.default.createDirectory(atPath: checkout + "/work", withIntermediateDirectories: true)
        try Data("gitdir: ../store.git\n".utf8).write(to: URL(fileURLWithPath: checkout + "/work/.git"))
        let info = try XCTUnwrap(RepositoryInfo.discover(from: checkout + "/work"))
        XCTAssertEqual(info.gitDirectory, realPath(checkout) + "/store.git")
        XCTAssertNotNil(info.headCommit)
    }

    func testRemoteURLsMatchGitConfig() throws {
        let repo = try makeRepository()
        _ = try git(repo, "remote", "add", "origin", "git@github.com:acme/shop.git")
        _ = try git(repo, "remote", "add", "upstream", "https://gitlab.example.com/platform/shop.git")
        _ = try git(repo, "config", "remote.with space.url", "ssh://git@host:2222/a b.git")
        let info = try XCTUnwrap(RepositoryInfo.discover(from: repo))
        for remote in ["origin", "upstream", "with space"] {
            XCTAssertEqual(info.remoteURL(named: remote), try git(repo, "config", "--get", "remote.\(remote).url"), remote)
        }
        XCTAssertEqual(info.remoteURL(), "git@github.com:acme/shop.git")
        XCTAssertNil(info.remoteURL(named: "missing"))
        XCTAssertEqual(info.config?.subsections(of: "remote"), ["origin", "upstream", "with space"])
    }

    func testHandWrittenConfigParsesLikeGit() throws {
        let repo = try makeRepository()
        let config = #"""
            # a comment
            [core]
            	repositoryformatversion = 0
            	bare = false
            ; another comment
            [Remote "origin"]
            	URL = "https://github.com/acme/shop.git" # trailing comment
            	fetch = +refs/heads/*:refs/remotes/origin/*
            [remote "Quoted \"name\""]
                url = git@host:org/repo.git ; comment
            [remote "spaces"]
                url =   padded value with  inner   spaces   # comment
            [remote "continued"]
                url = https://example.com/\
            continued.git
            [remote "escapes"]
                url = "a;b#c" \"quoted\" tab\there
            [remote "twice"]
                url = first
                url = second
            [remote "empty"]
                url =
            [remote.legacy]
                url = legacy-form
            [remote "origin"] pushurl = same-line
            """#
        try Data(config.utf8).write(to: URL(fileURLWithPath: repo + "/.git/config"))
        let info = try XCTUnwrap(RepositoryInfo.discover(from: repo))
        for remote in ["origin", #"Quoted "name""#, "spaces", "continued", "escapes", "twice", "empty", "legacy"] {
            XCTAssertEqual(info.remoteURL(named: remote), try git(repo, "config", "--get", "remote.\(remote).url"), remote)
        }
        XCTAssertEqual(info.remoteURL(), "https://github.com/acme/shop.git")
        XCTAssertEqual(info.remoteURL(named: "spaces"), "padded value with  inner   spaces")
        XCTAssertEqual(info.remoteURL(named: "continued"), "https://example.com/continued.git")
        XCTAssertEqual(info.remoteURL(named: "escapes"), "a;b#c \"quoted\" tab\there")
        XCTAssertEqual(info.remoteURL(named: "twice"), "second")
        XCTAssertEqual(info.config?.values(section: "remote", subsection: "twice", key: "url"), ["first", "second"])
        XCTAssertEqual(info.config?.value(section: "remote", subsection: "origin", key: "pushurl"), "same-line")
        XCTAssertEqual(info.config?.value(section: "CORE", key: "Bare"), "false")
        XCTAssertNil(info.remoteURL(named: "Origin"), "subsections are case-sensitive")
    }

    func testPublicURLDropsCredentials() {
        XCTAssertEqual(
            RepositoryInfo.publicURL("https://x-access-token:ghp_secret@github.com/acme/shop.git"),
            "https://github.com/acme/shop.git")
        XCTAssertEqual(RepositoryInfo.publicURL("https://ghp_secret@github.com/acme/shop.git"), "https://github.com/acme/shop.git")
        XCTAssertEqual(RepositoryInfo.publicURL("ssh://git:pw@host:2222/org/repo.git"), "ssh://git@host:2222/org/repo.git")
        XCTAssertEqual(RepositoryInfo.publicURL("git@github.com:acme/shop.git"), "git@github.com:acme/shop.git")
        XCTAssertEqual(RepositoryInfo.publicURL("https://github.com/acme/shop.git"), "https://github.com/acme/shop.git")
        XCTAssertEqual(RepositoryInfo.publicURL("https://github.com/a@b/shop.git"), "https://github.com/a@b/shop.git")
        XCTAssertEqual(RepositoryInfo.publicURL("/srv/git/shop.git"), "/srv/git/shop.git")
    }
}

private extension RepositoryInfoTests {
    /// The environment for the `git` CLI: no user or system config, no inherited `GIT_DIR` (a
    /// pre-commit hook sets one), fixed identity and dates.
    static var gitEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Test"
        environment["GIT_AUTHOR_EMAIL"] = "test@example.com"
        environment["GIT_COMMITTER_NAME"] = "Test"
        environment["GIT_COMMITTER_EMAIL"] = "test@example.com"
        return environment
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("komply-git-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func makeRepository() throws -> String {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "the git CLI is not installed")
        let repo = try temporaryDirectory()
        _ = try git(repo, "init", "-q", "-b", "main")
        return repo
    }

    func commit(_ repo: String, _ message: String) throws {
        try Data("\(message)\n".utf8).write(to: URL(fileURLWithPath: repo + "/file-\(UUID().uuidString).txt"))
        _ = try git(repo, "add", "-A")
        _ = try git(repo, "commit", "-q", "-m", message)
    }

    /// Runs `git -C repo args…` and returns its trimmed standard output.
    @discardableResult
    func git(_ repo: String, _ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", repo] + arguments
        process.environment = Self.gitEnvironment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "git", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "git \(arguments): " + String(decoding: message, as: UTF8.self)])
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
}
