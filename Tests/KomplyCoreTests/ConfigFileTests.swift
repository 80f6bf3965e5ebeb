import Foundation
import XCTest

@testable import KomplyCore

/// komply.yaml is found once, the same way for every command: the current folder up to the
/// repository root, never above it.
final class ConfigFileTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("komply-config-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root + "/repo/apps/shop", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + path))
    }

    func testDiscoveryStopsAtTheRepositoryRoot() throws {
        try write("apiVersion: komply.dev/v1\nkind: Config\noutput: outer\n", to: "komply.yaml")
        XCTAssertNil(try ConfigFile.locate(from: root + "/repo/apps/shop"), "no repository: only the folder itself, never up to /")
        XCTAssertEqual(try ConfigFile.locate(from: root), root + "/komply.yaml")
        try FileManager.default.createDirectory(atPath: root + "/repo/.git", withIntermediateDirectories: true)
        XCTAssertNil(try ConfigFile.locate(from: root + "/repo/apps/shop"), "a file above the repository root is not the repository's")
        try write("apiVersion: komply.dev/v1\nkind: Config\noutput: inner\n", to: "repo/komply.yaml")
        let found = try XCTUnwrap(try ConfigFile.discover(from: root + "/repo/apps/shop"))
        XCTAssertEqual(found.path, root + "/repo/komply.yaml")
        XCTAssertEqual(found.section("output")?.scalar, "inner")
        XCTAssertEqual(found.directory, root + "/repo")
    }

    func testASymbolicLinkOutOfTheRepositoryIsRefusedNotFollowed() throws {
        try FileManager.default.createDirectory(atPath: root + "/repo/.git", withIntermediateDirectories: true)
        try write("apiVersion: komply.dev/v1\nkind: Config\noutput: outside\n", to: "outside.yaml")
        try FileManager.default.createSymbolicLink(atPath: root + "/repo/apps/komply.yaml", withDestinationPath: root + "/outside.yaml")
        XCTAssertThrowsError(try ConfigFile.discover(from: root + "/repo/apps/shop")) { error in
            guard case .pathEscapesRoot(_, let path, let through)? = error as? CoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, root + "/repo/apps/komply.yaml")
            XCTAssertTrue(through.contains("symbolic link \"apps/komply.yaml\""), through)
        }
        // A link that stays inside is followed.
        try FileManager.default.removeItem(atPath: root + "/repo/apps/komply.yaml")
        try write("apiVersion: komply.dev/v1\nkind: Config\noutput: shared\n", to: "repo/shared.yaml")
        try FileManager.default.createSymbolicLink(atPath: root + "/repo/apps/komply.yaml", withDestinationPath: "../shared.yaml")
        XCTAssertEqual(try ConfigFile.discover(from: root + "/repo/apps/shop")?.section("output")?.scalar, "shared")
    }

    func testTheNearestFileWins() throws {
        try FileManager.default.createDirectory(atPath: root + "/repo/.git", withIntermediateDirectories: true)
        try write("apiVersion: komply.dev/v1\nkind: Config\noutput: top\n", to: "repo/komply.yaml")
        try write("apiVersion: komply.dev/v1\nkind: Config\noutput: app\n", to: "repo/apps/komply.yaml")
        XCTAssertEqual(try ConfigFile.discover(from: root + "/repo/apps/shop")?.section("output")?.scalar, "app")
    }

    func testPathsInTheFileAreRelativeToItsFolder() throws {
        let here = ConfigFile(path: "komply.yaml", documents: [])
        XCTAssertEqual(here.directory, ".")
        XCTAssertEqual(here.resolve("ops/history.sqlite"), "ops/history.sqlite")
        let above = ConfigFile(path: "../komply.yaml", documents: [])
        XCTAssertEqual(above.resolve("ops/history.sqlite"), "../ops/history.sqlite")
        XCTAssertEqual(above.resolve("/var/h.sqlite"), "/var/h.sqlite")
        XCTAssertEqual(ConfigFile(path: "/komply.yaml", documents: []).directory, "/")
    }

    func testBadYAMLIsRefusedWithItsPosition() throws {
        try write("apiVersion: komply.dev/v1\nkind: [Config\n", to: "repo/komply.yaml")
        XCTAssertThrowsError(try ConfigFile.discover(from: root + "/repo")) { error in
            XCTAssertEqual((error as? CoreError)?.location?.file, root + "/repo/komply.yaml")
            XCTAssertNotNil((error as? CoreError)?.location?.range, "\(error)")
        }
    }

    func testAnEmptyFileHasNoSections() throws {
        let file = try ConfigFile.parse("", file: "komply.yaml")
        XCTAssertNil(file.root)
        XCTAssertNil(file.section("policy"))
    }
}
