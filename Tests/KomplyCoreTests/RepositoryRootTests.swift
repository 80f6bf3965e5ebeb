import Foundation
import XCTest

@testable import KomplyCore

/// The one confined resolver: every step of a path a source names stays inside the root, symbolic
/// links followed component by component; anything else is refused naming the path as written.
final class RepositoryRootTests: XCTestCase {
    var top = ""
    var repo = ""
    var root: RepositoryRoot!

    override func setUpWithError() throws {
        top = Paths.canonical(
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-root-\(UUID().uuidString.prefix(8))").path)
        repo = top + "/repo"
        try FileManager.default.createDirectory(atPath: repo + "/.git", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: repo + "/conf/nested", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: top + "/outside", withIntermediateDirectories: true)
        try Data("inside\n".utf8).write(to: URL(fileURLWithPath: repo + "/conf/app.conf"))
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: top + "/outside/secret.txt"))
        root = RepositoryRoot(repo)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: top)
    }

    func link(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: repo + "/" + path, withDestinationPath: target)
    }

    func escape(_ path: String, from base: String? = nil, file: StaticString = #filePath, line: UInt = #line) -> String? {
        let at = SourceLocation(file: "compose.yaml", range: SourceRange(start: .init(line: 7, column: 9), end: .init(line: 7, column: 20)))
        do {
            let resolved = try root.resolve(path, from: base ?? repo, at: at)
            XCTFail("\(path) resolved to \(resolved); expected a refusal", file: file, line: line)
            return nil
        } catch {
            guard case .pathEscapesRoot(let location, let shown, let through) = error else {
                XCTFail("\(error)", file: file, line: line)
                return nil
            }
            XCTAssertEqual(location, at, file: file, line: line)
            XCTAssertEqual(shown, path, "the path as the user wrote it", file: file, line: line)
            XCTAssertTrue(error.localizedDescription.hasPrefix("compose.yaml:7:9: "), error.localizedDescription, file: file, line: line)
            return through
        }
    }

    func testPathsInsideResolveWithLinksFollowed() throws {
        XCTAssertEqual(try root.resolve("./conf/app.conf", from: repo, at: nil), repo + "/conf/app.conf")
        XCTAssertEqual(try root.resolve("../app.conf", from: repo + "/conf/nested", at: nil), repo + "/conf/app.conf")
        XCTAssertEqual(try root.resolve("missing.conf", from: repo, at: nil), repo + "/missing.conf", "missing is the caller's to report")
        try link("app.link", to: "conf/app.conf")
        try link("conf/nested/up", to: "../..")
        try link("absolute.link", to: repo + "/conf")
        XCTAssertEqual(try root.resolve("app.link", from: repo, at: nil), repo + "/conf/app.conf")
        XCTAssertEqual(try root.resolve("conf/nested/up/conf/app.conf", from: repo, at: nil), repo + "/conf/app.conf")
        XCTAssertEqual(try root.resolve("absolute.link/app.conf", from: repo, at: nil), repo + "/conf/app.conf")
        XCTAssertEqual(try root.resolve(repo + "/conf/app.conf", from: "/", at: nil), repo + "/conf/app.conf")
        XCTAssertEqual(try root.resolve(".", from: repo, at: nil), repo)
    }

    func testDotDotAboveTheRootIsRefusedEvenWhenItComesBack() {
        XCTAssertEqual(escape("../../../../etc/passwd"), "\"..\"")
        XCTAssertEqual(escape("../repo/conf/app.conf"), "\"..\"", "the snapshot's copy would resolve it elsewhere")
        XCTAssertEqual(escape("../../../outside/secret.txt", from: repo + "/conf/nested"), "\"..\"")
    }

    func testAnAbsolutePathThroughALinkedPrefixOfTheRootIsInside() throws {
        try FileManager.default.createSymbolicLink(atPath: top + "/alias", withDestinationPath: repo)
        XCTAssertEqual(try root.resolve(top + "/alias/conf/app.conf", from: "/", at: nil), repo + "/conf/app.conf")
        try link("conf/out", to: top + "/outside")
        XCTAssertEqual(escape(top + "/alias/conf/out/secret.txt"), "an absolute path")
    }

    func testAbsolutePathsOutsideAreRefused() {
        XCTAssertEqual(escape("/etc/passwd"), "an absolute path")
        XCTAssertEqual(escape(top + "/outside/secret.txt"), "an absolute path")
    }

    func testALinkOutIsRefusedWhereverItStands() throws {
        try link("host.conf", to: "/etc/hostname")
        try link("conf/out", to: top + "/outside")
        try link("conf/rel", to: "../../outside/secret.txt")
        try link("dangling", to: "/nonexistent/komply/file")
        try link("hop", to: "conf/rel")
        XCTAssertEqual(escape("./host.conf"), "the symbolic link \"host.conf\" → \"/etc/hostname\"")
        XCTAssertEqual(escape("conf/out/secret.txt"), "the symbolic link \"conf/out\" → \"\(top)/outside\"", "a folder in the middle")
        XCTAssertEqual(escape("conf/rel"), "the symbolic link \"conf/rel\" → \"../../outside/secret.txt\"")
        XCTAssertEqual(escape("dangling"), "the symbolic link \"dangling\" → \"/nonexistent/komply/file\"")
        XCTAssertEqual(escape("hop"), "the symbolic link \"conf/rel\" → \"../../outside/secret.txt\"", "a chain names the link that leaves")
    }

    func testALinkTargetCannotInjectLinesIntoTheMessage() throws {
        try link("evil", to: "/tmp/x\nkomply: everything is fine\u{1B}[2J")
        let through = try XCTUnwrap(escape("evil"))
        XCTAssertFalse(through.contains("\n") || through.contains("\u{1B}"), through)
        XCTAssertTrue(through.contains(#"\nkomply: everything is fine"#), through)
    }

    func testALoopIsRefused() throws {
        try link("a", to: "b")
        try link("b", to: "a")
        XCTAssertThrowsError(try root.resolve("a", from: repo, at: nil)) { error in
            guard case .symlinkLoop(_, let path)? = error as? CoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "a")
        }
    }

    func testTheRootIsTheNearestFolderWithGit() throws {
        XCTAssertEqual(RepositoryRoot.enclosing(repo + "/conf/nested"), root)
        try FileManager.default.createDirectory(atPath: top + "/plain", withIntermediateDirectories: true)
        // A snapshot's copy marks its root with a `.git` file.
        try Data("gitdir: /elsewhere\n".utf8).write(to: URL(fileURLWithPath: top + "/outside/.git"))
        XCTAssertEqual(RepositoryRoot.enclosing(top + "/outside")?.path, top + "/outside")
    }
}
