import Foundation
import KomplyCore
import XCTest

@testable import KomplyGit

/// Snapshots of a revision or of the index, materialized into a temporary folder.
final class GitSnapshotTests: XCTestCase {
    func testRevisionSnapshotHoldsThatTreeAndNeverMovesTheCurrentFolder() throws {
        let repo = try GitFixture.repository(self)
        try GitFixture.commit(repo, ["apps/shop/compose.yaml": "v1\n", "README.md": "hi\n"], message: "first")
        try GitFixture.commit(repo, ["apps/shop/compose.yaml": "v2\n"], message: "second")
        try GitFixture.write(repo, ["apps/shop/compose.yaml": "worktree edit\n", "untracked.txt": "u\n"])
        let repository = try GitRepository(path: repo)
        let before = FileManager.default.currentDirectoryPath

        let snapshot = try repository.snapshot(.revision("HEAD~1"))
        XCTAssertEqual(FileManager.default.currentDirectoryPath, before)
        XCTAssertEqual((snapshot.root as NSString).lastPathComponent, (repo as NSString).lastPathComponent)
        XCTAssertEqual(snapshot.workdir, repo)
        XCTAssertEqual(try String(contentsOfFile: snapshot.root + "/apps/shop/compose.yaml", encoding: .utf8), "v1\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: snapshot.root + "/untracked.txt"))
        XCTAssertEqual(try String(contentsOfFile: snapshot.root + "/.git", encoding: .utf8), "gitdir: \(repository.gitDirectory)\n")
        XCTAssertEqual(try GitRepository.discover(from: snapshot.root + "/apps").gitDirectory, repository.gitDirectory)
        XCTAssertEqual(snapshot.folder(for: repo + "/apps/shop"), snapshot.root + "/apps/shop")
        XCTAssertEqual(snapshot.folder(for: repo), snapshot.root)
        XCTAssertNil(snapshot.folder(for: "/"))
        XCTAssertNil(snapshot.folder(for: repo + "-other"))

        snapshot.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: snapshot.root))
        XCTAssertEqual(try String(contentsOfFile: repo + "/apps/shop/compose.yaml", encoding: .utf8), "worktree edit\n")
    }

    func testWithSnapshotRemovesTheCopyAfterTheBodyEvenWhenItThrows() throws {
        let repo = try GitFixture.repository(self)
        try GitFixture.commit(repo, ["a.yaml": "a\n"], message: "first")
        let repository = try GitRepository(path: repo)
        var root = ""
        XCTAssertThrowsError(
            try repository.withSnapshot(.revision("HEAD")) { snapshot in
                root = snapshot.root
                XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/a.yaml"))
                throw GitError.unknownRevision("thrown by the body")
            })
        XCTAssertFalse(root.isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root))
        XCTAssertThrowsError(try repository.snapshot(.revision("no-such-branch"))) { error in
            XCTAssertEqual(error as? GitError, .unknownRevision("no-such-branch"))
        }
    }

    func testStagedSnapshotReadsTheIndexGitIsCommittingFromGitIndexFile() throws {
        let repo = try GitFixture.repository(self)
        try GitFixture.commit(repo, ["app.yaml": "committed\n"], message: "first")
        try GitFixture.write(repo, ["app.yaml": "first stage\n"])
        try GitFixture.git(repo, "add", "app.yaml")
        let other = try GitFixture.temporaryDirectory(self) + "/next-index.lock"
        try FileManager.default.copyItem(atPath: repo + "/.git/index", toPath: other)
        try GitFixture.write(repo, ["app.yaml": "second stage\n"])
        try GitFixture.git(repo, "add", "app.yaml")
        let repository = try GitRepository(path: repo)

        XCTAssertEqual(try repository.committableFiles(environment: [:]), ["app.yaml": Data("second stage\n".utf8)])
        XCTAssertEqual(
            try repository.committableFiles(environment: ["GIT_INDEX_FILE": other]), ["app.yaml": Data("first stage\n".utf8)])
        XCTAssertEqual(
            try repository.committableFiles(environment: ["GIT_INDEX_FILE": ".git/index"], currentDirectory: repo),
            ["app.yaml": Data("second stage\n".utf8)], "a relative value is read against the current folder")
        XCTAssertThrowsError(try repository.committableFiles(environment: ["GIT_INDEX_FILE": other + ".missing"])) { error in
            XCTAssertEqual(error as? GitError, .missingIndexFile(value: other + ".missing"))
        }
        try repository.withSnapshot(.staged, environment: ["GIT_INDEX_FILE": other]) { snapshot in
            XCTAssertEqual(try String(contentsOfFile: snapshot.root + "/app.yaml", encoding: .utf8), "first stage\n")
        }
    }

    /// A committed link is written as a link (readers judge it inside the copy with `RepositoryRoot`,
    /// as in a worktree), never as a copy of what it points at; nothing is written through it.
    func testACommittedSymbolicLinkArrivesAsALinkHoldingItsTarget() throws {
        let repo = try GitFixture.repository(self)
        let outside = try GitFixture.temporaryDirectory(self)
        try FileManager.default.createSymbolicLink(atPath: repo + "/escape", withDestinationPath: "../../" + outside)
        try FileManager.default.createSymbolicLink(atPath: repo + "/secrets", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: repo + "/inside", withDestinationPath: "keep.yaml")
        try GitFixture.commit(repo, ["keep.yaml": "k\n"], message: "links")
        let repository = try GitRepository(path: repo)

        for content in [GitSnapshot.Content.revision("HEAD"), .staged] {
            try repository.withSnapshot(content, environment: [:]) { snapshot in
                for (name, target) in [("escape", "../../" + outside), ("secrets", outside), ("inside", "keep.yaml")] {
                    let path = snapshot.root + "/" + name
                    XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path), target, "\(content) \(name)")
                }
                XCTAssertEqual(try String(contentsOfFile: snapshot.root + "/inside", encoding: .utf8), "k\n")
                XCTAssertThrowsError(
                    try RepositoryRoot(snapshot.root).resolve("secrets/x", from: snapshot.root, at: nil), "refused in the copy")
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [])
    }

    func testMaterializeRefusesPathsThatClimbOutOrGoThroughSymbolicLinks() throws {
        let folder = try GitFixture.temporaryDirectory(self)
        let outside = try GitFixture.temporaryDirectory(self)
        try Data("theirs\n".utf8).write(to: URL(fileURLWithPath: outside + "/file.yaml"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: folder + "/file.yaml", withDestinationPath: outside + "/file.yaml")

        for path in [
            "../escape.yaml", "a/../../escape.yaml", "/etc/escape.yaml", ".git/config", "link/x.yaml", "link/deeper/x.yaml", "file.yaml",
        ] {
            XCTAssertThrowsError(try GitRepository.materialize([path: Data("x\n".utf8)], into: folder), path) { error in
                XCTAssertEqual(error as? GitError, .unsafePath(path))
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), ["file.yaml"])
        XCTAssertEqual(try String(contentsOfFile: outside + "/file.yaml", encoding: .utf8), "theirs\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: (folder as NSString).deletingLastPathComponent + "/escape.yaml"))

        try GitRepository.materialize(["a/./b.yaml": Data("b\n".utf8)], into: folder)
        XCTAssertEqual(try String(contentsOfFile: folder + "/a/b.yaml", encoding: .utf8), "b\n")
    }

    func testContentsAtARevisionSkipFilesOutsideTheRepositoryOrAbsentThere() throws {
        let repo = try GitFixture.repository(self)
        try GitFixture.commit(repo, ["deploy/a.yaml": "old a\n", "deploy/b.yaml": "old b\n"], message: "first")
        try GitFixture.write(repo, ["deploy/a.yaml": "new a\n", "deploy/c.yaml": "new c\n"])
        let repository = try GitRepository(path: repo)
        let locations = RepositoryPaths(workdir: repo, current: repo + "/deploy")

        let contents = try repository.contents(
            of: ["a.yaml", "c.yaml", repo + "/deploy/b.yaml", "../../elsewhere.yaml", "/etc/hosts", "."], at: "HEAD",
            locations: locations)
        XCTAssertEqual(contents.map(\.path), ["a.yaml", repo + "/deploy/b.yaml"])
        XCTAssertEqual(contents.map(\.data), [Data("old a\n".utf8), Data("old b\n".utf8)])
    }
}
