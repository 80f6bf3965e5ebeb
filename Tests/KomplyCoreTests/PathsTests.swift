import Foundation
import XCTest

@testable import KomplyCore

final class PathsTests: XCTestCase {
    func testNormalizedResolvesDotsLexically() {
        XCTAssertEqual(Paths.normalized("/a/./b//c/../d/"), "/a/b/d")
        XCTAssertEqual(Paths.normalized("/../a"), "/a")
        XCTAssertEqual(Paths.normalized("a/../.."), "..")
        XCTAssertEqual(Paths.normalized("../../x/./y"), "../../x/y")
        XCTAssertEqual(Paths.normalized("a/.."), ".")
        XCTAssertEqual(Paths.normalized(""), ".")
        XCTAssertEqual(Paths.normalized("/"), "/")
    }

    func testRelativeIsNilOutsideTheFolder() {
        XCTAssertEqual(Paths.relative("/repo/a/b.yaml", to: "/repo"), "a/b.yaml")
        XCTAssertEqual(Paths.relative("/repo", to: "/repo"), "")
        XCTAssertEqual(Paths.relative("/etc/passwd", to: "/"), "etc/passwd")
        XCTAssertNil(Paths.relative("/repository/a", to: "/repo"))
        XCTAssertNil(Paths.relative("/elsewhere", to: "/repo"))
    }

    func testJoinKeepsAbsolutePaths() {
        XCTAssertEqual(Paths.join("/a", "b"), "/a/b")
        XCTAssertEqual(Paths.join("/a/", "b"), "/a/b")
        XCTAssertEqual(Paths.join("/a", "/etc/x"), "/etc/x")
    }

    func testCanonicalResolvesSymbolicLinksAndTrailingSlashes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-paths-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/real/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/real")
        let real = URL(fileURLWithPath: folder + "/real").resolvingSymlinksInPath().path
        XCTAssertEqual(Paths.canonical(folder + "/link/sub/"), real + "/sub")
        XCTAssertEqual(Paths.canonical(folder + "/link/sub/.."), real)
    }
}
