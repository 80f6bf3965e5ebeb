import Foundation
import XCTest

@testable import KomplyCore

/// `WriteBatch`: all writes and removals land, or none does, even when a rename fails half-way.
final class WriteBatchTests: XCTestCase {
    func testWritesAndRemovalsLandTogetherCreatingFolders() throws {
        let dir = try temporaryFolder()
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: dir + "/a.yaml"))
        chmod(dir + "/a.yaml", 0o600)
        try Data("stale\n".utf8).write(to: URL(fileURLWithPath: dir + "/stale.yaml"))
        var batch = WriteBatch()
        batch.write(Data("new a\n".utf8), to: dir + "/a.yaml")
        batch.write(Data("new b\n".utf8), to: dir + "/x/y/b.yaml")
        batch.remove(dir + "/stale.yaml")
        try batch.commit()
        XCTAssertEqual(try String(contentsOfFile: dir + "/a.yaml", encoding: .utf8), "new a\n")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: dir + "/a.yaml")[.posixPermissions] as? Int, 0o600)
        XCTAssertEqual(try String(contentsOfFile: dir + "/x/y/b.yaml", encoding: .utf8), "new b\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/stale.yaml"))
        XCTAssertEqual(try contents(of: dir), ["a.yaml", "x", "x/y", "x/y/b.yaml"])
    }

    func testAFailedRenameHalfWayPutsEverythingBack() throws {
        let dir = try temporaryFolder()
        for name in ["a", "b", "c"] { try Data("old \(name)\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name).yaml")) }
        var batch = WriteBatch()
        var renames = 0
        batch.rename = { from, to in
            renames += 1
            if renames == 4 {
                errno = EIO
                return -1
            }
            #if canImport(Glibc)
                return Glibc.rename(from, to)
            #else
                return Darwin.rename(from, to)
            #endif
        }
        for name in ["a", "b", "new/d", "c"] { batch.write(Data("new \(name)\n".utf8), to: "\(dir)/\(name).yaml") }
        XCTAssertThrowsError(try batch.commit()) { error in
            XCTAssertEqual(error as? CoreError, .cannotWrite(file: dir + "/c.yaml", reason: "rename: Input/output error"))
        }
        for name in ["a", "b", "c"] {
            XCTAssertEqual(try String(contentsOfFile: "\(dir)/\(name).yaml", encoding: .utf8), "old \(name)\n", name)
        }
        XCTAssertEqual(try contents(of: dir), ["a.yaml", "b.yaml", "c.yaml"], "no new file, folder or temporary file is left")
    }

    func testAFailingRemovalPutsTheWritesBack() throws {
        let dir = try temporaryFolder()
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: dir + "/a.yaml"))
        var batch = WriteBatch()
        batch.write(Data("new\n".utf8), to: dir + "/a.yaml")
        batch.remove(dir + "/gone.yaml")
        XCTAssertThrowsError(try batch.commit()) { error in
            XCTAssertEqual(error as? CoreError, .cannotWrite(file: dir + "/gone.yaml", reason: "it no longer exists"))
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/a.yaml", encoding: .utf8), "old\n")
        XCTAssertEqual(try contents(of: dir), ["a.yaml"])
    }

    func testALinkOrFolderAtATargetIsRefusedNotReplaced() throws {
        let dir = try temporaryFolder()
        try Data("target\n".utf8).write(to: URL(fileURLWithPath: dir + "/target"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "target")
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: false)
        for (path, reason) in [
            (dir + "/link", "it is a symbolic link, which komply never replaces"), (dir + "/folder", "it is a folder"),
        ] {
            var batch = WriteBatch()
            batch.write(Data("first\n".utf8), to: dir + "/first.yaml")
            batch.write(Data("x\n".utf8), to: path)
            XCTAssertThrowsError(try batch.commit()) { error in
                XCTAssertEqual(error as? CoreError, .cannotWrite(file: path, reason: reason))
            }
        }
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link"), "target")
        XCTAssertEqual(try contents(of: dir), ["folder", "link", "target"])
    }

    func testResolvingLinksNamesTheLinkThatLeaves() throws {
        let dir = try temporaryFolder()
        let outside = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/in", withDestinationPath: "real")
        try FileManager.default.createSymbolicLink(atPath: dir + "/out", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling", withDestinationPath: "nowhere/x")
        let inside = Paths.resolvingLinks(dir + "/in/app/base/a.yaml")
        XCTAssertEqual(inside.path, dir + "/real/app/base/a.yaml")
        XCTAssertNil(inside.firstLink(leaving: dir))
        let leaving = Paths.resolvingLinks(dir + "/out/a.yaml")
        XCTAssertEqual(leaving.path, outside + "/a.yaml")
        XCTAssertEqual(leaving.firstLink(leaving: dir), .init(path: dir + "/out", destination: outside, resolved: outside))
        let missing = Paths.resolvingLinks(dir + "/dangling/a.yaml")
        XCTAssertEqual(missing.firstLink(leaving: dir), .init(path: dir + "/dangling", destination: "nowhere/x", resolved: nil))
        XCTAssertEqual(Paths.resolvingLinks(dir + "/plain/a.yaml"), .init(path: dir + "/plain/a.yaml", links: []))
        // `..` after a link is where the link leads, then up: what the system would open.
        try FileManager.default.createDirectory(atPath: outside + "/sub", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/deep", withDestinationPath: outside + "/sub")
        let climbing = Paths.resolvingLinks(dir + "/deep/../a.yaml")
        XCTAssertEqual(climbing.path, outside + "/a.yaml")
        XCTAssertEqual(climbing.firstLink(leaving: dir)?.path, dir + "/deep")
        XCTAssertEqual(Paths.resolvingLinks(dir + "/./real/../missing/x/../y.yaml").path, dir + "/missing/y.yaml")
    }
}

private extension WriteBatchTests {
    /// A new folder, as a real path (the temporary folder itself may be reached through a link).
    func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return Paths.canonical(folder.path)
    }

    func contents(of folder: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder).sorted()
    }
}
