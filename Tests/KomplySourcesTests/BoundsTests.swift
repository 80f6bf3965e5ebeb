import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

/// Work the compose reader does is bounded by its input: long `extends` chains, many or deeply
/// nested interpolations, huge port ranges and files that are not regular files.
final class BoundsTests: XCTestCase {
    override func setUp() {
        FileManager.default.changeCurrentDirectoryPath(repositoryRoot)
    }

    func load(_ file: String, environment: [String: String] = [:]) throws -> ComposeProject {
        try ComposeLoader.load(ComposeRequest(files: [file], environment: environment))
    }

    /// 20,000 references in one value took 48 s (the error text was built for each `${`).
    func testManyReferencesInOneValueInterpolate() throws {
        let text = String(repeating: "${A}", count: 20_000) + String(repeating: "${B:-x}", count: 20_000)
        XCTAssertEqual(
            try Interpolation.interpolate(text, lookup: { $0 == "A" ? "a" : nil }),
            String(repeating: "a", count: 20_000) + String(repeating: "x", count: 20_000))
    }

    func testNestingUpToTheLimitResolves() throws {
        let depth = Interpolation.maxNesting
        let text = String(repeating: "${A:-", count: depth) + "x" + String(repeating: "}", count: depth)
        XCTAssertEqual(try Interpolation.interpolate(text, lookup: { _ in nil }), "x")
    }

    /// 5,000-deep nested defaults took 8 s; nesting past the limit is refused at the expression that goes too deep.
    func testAbsurdNestingIsRefused() {
        let depth = 5_000
        let text = String(repeating: "${A:-", count: depth) + "x" + String(repeating: "}", count: depth)
        let limit = Interpolation.maxNesting
        XCTAssertThrowsError(try Interpolation.interpolate(text, lookup: { _ in nil })) { error in
            XCTAssertEqual(
                error as? InterpolationError,
                InterpolationError(
                    offset: 5 * limit,
                    message: "interpolation nests deeper than \(limit) levels; expected at most \(limit) nested ${…}"))
        }
    }

    func temporaryDirectory() throws -> String {
        let path = "\(repositoryRoot)/.build/test-tmp/\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
