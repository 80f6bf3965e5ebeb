import Foundation
import XCTest

@testable import KomplyCore

final class GlobTests: XCTestCase {
    func testSegmentWildcards() {
        XCTAssertTrue(Glob.matches("*.yaml", "compose.yaml"))
        XCTAssertFalse(Glob.matches("*.yaml", "apps/compose.yaml"), "* stays inside one segment")
        XCTAssertFalse(Glob.matches("compose.y?ml", "compose.yml"))
        XCTAssertTrue(Glob.matches("compose.y?ml", "compose.yaml"))
        XCTAssertTrue(Glob.matches("app[12]/*", "app1/x"))
        XCTAssertFalse(Glob.matches("app[12]/*", "app3/x"))
        XCTAssertTrue(Glob.matches("app[a-c]", "appb"))
        XCTAssertFalse(Glob.matches("app[!a-c]", "appb"))
        XCTAssertTrue(Glob.matches("app[^a-c]", "appd"))
        XCTAssertTrue(Glob.matches("[]]x", "]x"), "a ] first in a class is a member")
        XCTAssertTrue(Glob.matches("a[b", "a[b"), "an unclosed [ is literal")
        XCTAssertTrue(Glob.matches("\\*.yaml", "*.yaml"))
        XCTAssertFalse(Glob.matches("\\*.yaml", "x.yaml"))
        XCTAssertTrue(Glob.matches("*a*b*c", "xxaybbzc"))
        XCTAssertFalse(Glob.matches("*a*b*c", "xxaybbzcd"))
        XCTAssertTrue(Glob.matches("*", "ünïcødé"))
        XCTAssertTrue(Glob.matches("?", "é"))
    }

    func testAnyDepth() {
        XCTAssertTrue(Glob.matches("**/compose.yaml", "compose.yaml"))
        XCTAssertTrue(Glob.matches("**/compose.yaml", "a/b/c/compose.yaml"))
        XCTAssertTrue(Glob.matches("apps/**/compose.yaml", "apps/compose.yaml"))
        XCTAssertTrue(Glob.matches("apps/**/compose.yaml", "apps/x/y/compose.yaml"))
        XCTAssertFalse(Glob.matches("apps/**/compose.yaml", "other/x/compose.yaml"))
        XCTAssertTrue(Glob.matches("apps/**", "apps/x/y"))
        XCTAssertTrue(Glob.matches("**/**/*.json", "a/b.json"))
        XCTAssertTrue(Glob.matches("a/**/b/**/c", "a/x/b/y/z/c"))
        XCTAssertFalse(Glob.matches("a/**/b/**/c", "a/x/y/z/c"))
    }

    func testHiddenNamesNeedAnExplicitDot() {
        XCTAssertFalse(Glob.matches("*", ".env"))
        XCTAssertTrue(Glob.matches(".*", ".env"))
        XCTAssertFalse(Glob.matches("**/config", ".git/config"))
        XCTAssertTrue(Glob.matches(".github/**/*.yml", ".github/workflows/ci.yml"))
    }

    func testPathNormalisation() {
        XCTAssertTrue(Glob.matches("./apps//*.yaml", "apps/a.yaml"))
        XCTAssertTrue(Glob.matches("apps/../*.yaml", "a.yaml"))
        XCTAssertTrue(Glob.matches("*.yaml", "./a.yaml"))
        XCTAssertFalse(Glob.matches("../*.yaml", "a.yaml"))
        XCTAssertFalse(Glob.matches("/etc/*", "etc/passwd"))
    }

    func testExpandFindsSortedUniqueMatches() throws {
        let root = try makeTree([
            "compose.yaml", "apps/shop/compose.yaml", "apps/shop/compose.override.yaml", "apps/blog/docker-compose.yml",
            "apps/blog/nested/deep/compose.yaml", "snapshots/payment.json", "snapshots/readme.md", ".git/compose.yaml",
            "apps/.hidden/compose.yaml",
        ])
        XCTAssertEqual(
            try Glob.expand(["**/compose.yaml"], in: root),
            [
                "apps/blog/nested/deep/compose.yaml", "apps/shop/compose.yaml", "compose.yaml",
            ])
        XCTAssertEqual(try Glob.expand(["apps/*", "apps/shop"], in: root), ["apps/blog", "apps/shop"])
        XCTAssertEqual(
            try Glob.expand(["snapshots/*.json", "**/*.json", "missing/*.yaml", "nothing.yaml"], in: root),
            ["snapshots/payment.json"])
        XCTAssertEqual(
            try Glob.expand(["apps/*/*compose*.y[a]ml"], in: root),
            [
                "apps/shop/compose.override.yaml", "apps/shop/compose.yaml",
            ])
        XCTAssertEqual(
            try Glob.expand(["apps/.hidden/*", ".git/*.yaml"], in: root),
            [
                ".git/compose.yaml", "apps/.hidden/compose.yaml",
            ])
        XCTAssertEqual(try Glob.expand(["apps/shop/../blog/*.yml"], in: root), ["apps/blog/docker-compose.yml"])
        XCTAssertEqual(try Glob.expand(["**"], in: root).first, ".")
    }

    func testExpandRefusesPatternsLeavingTheRoot() throws {
        let root = try makeTree(["a/compose.yaml"])
        XCTAssertThrowsError(try Glob.expand(["../*"], in: root)) { error in
            XCTAssertEqual(error as? CoreError, .patternEscapesRoot(pattern: "../*"))
        }
        XCTAssertThrowsError(try Glob.expand(["a/../../x"], in: root)) { error in
            XCTAssertEqual(error as? CoreError, .patternEscapesRoot(pattern: "a/../../x"))
        }
        XCTAssertThrowsError(try Glob.expand(["*/../x"], in: root)) { error in
            XCTAssertEqual(error as? CoreError, .patternEscapesRoot(pattern: "*/../x"))
        }
        XCTAssertThrowsError(try Glob.expand(["/etc/*"], in: root)) { error in
            XCTAssertEqual(error as? CoreError, .absolutePattern(pattern: "/etc/*"))
            XCTAssertTrue(error.localizedDescription.contains("relative"), error.localizedDescription)
        }
        XCTAssertThrowsError(try Glob.expand(["*"], in: root + "/missing")) { error in
            XCTAssertEqual(error as? CoreError, .unreadableRoot(path: root + "/missing"))
        }
    }

    func testSymbolicLinks() throws {
        let outside = try makeTree(["secret.yaml", "dir/compose.yaml"])
        let root = try makeTree(["apps/real/compose.yaml"])
        let fm = FileManager.default
        // Inside the root: matched, and a literal segment may pass through it.
        try fm.createSymbolicLink(atPath: root + "/apps/alias", withDestinationPath: "real")
        XCTAssertEqual(try Glob.expand(["apps/alias/compose.yaml"], in: root), ["apps/alias/compose.yaml"])
        // `**` does not descend through links (a link to an ancestor would loop).
        try fm.createSymbolicLink(atPath: root + "/apps/real/loop", withDestinationPath: "..")
        XCTAssertEqual(try Glob.expand(["**/compose.yaml"], in: root), ["apps/real/compose.yaml"])
        // Outside the root: refused by name when matched.
        try fm.createSymbolicLink(atPath: root + "/leak.yaml", withDestinationPath: outside + "/secret.yaml")
        XCTAssertThrowsError(try Glob.expand(["*.yaml"], in: root)) { error in
            XCTAssertEqual(error as? CoreError, .symlinkEscapesRoot(path: "leak.yaml", target: outside + "/secret.yaml"))
        }
        try fm.createSymbolicLink(atPath: root + "/outdir", withDestinationPath: outside + "/dir")
        XCTAssertThrowsError(try Glob.expand(["outdir/compose.yaml"], in: root))
        // A dangling link is refused too rather than silently skipped.
        try fm.removeItem(atPath: root + "/leak.yaml")
        try fm.createSymbolicLink(atPath: root + "/dangling.yaml", withDestinationPath: "nowhere.yaml")
        XCTAssertThrowsError(try Glob.expand(["dangling.yaml"], in: root)) { error in
            XCTAssertEqual(error as? CoreError, .symlinkEscapesRoot(path: "dangling.yaml", target: "nowhere.yaml"))
        }
    }

    func testRepeatedAnyDepthStaysFast() throws {
        var files: [String] = []
        for a in 0..<6 { for b in 0..<6 { for c in 0..<6 { files.append("d\(a)/d\(b)/d\(c)/f.yaml") } } }
        let root = try makeTree(files)
        let start = Date()
        XCTAssertEqual(try Glob.expand(["**/**/**/**/*.yaml"], in: root).count, 216)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    /// A temporary folder holding empty files at `paths`, removed after the test.
    private func makeTree(_ paths: [String]) throws -> String {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("komply-glob-\(UUID().uuidString)").path
        for path in paths {
            let full = root + "/" + path
            try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            XCTAssertTrue(fm.createFile(atPath: full, contents: Data()))
        }
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        addTeardownBlock { try? fm.removeItem(atPath: root) }
        return root
    }
}
