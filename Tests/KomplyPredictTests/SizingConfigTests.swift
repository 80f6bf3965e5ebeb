import XCTest

@testable import KomplyPredict

final class SizingConfigTests: XCTestCase {
    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("komply-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testPredictSectionIsRead() throws {
        let path = try write(
            """
            apiVersion: komply.dev/v1
            kind: Config
            predict:
              history: ops/history.sqlite
              tier: cost
              tiers: {prod: performance}
              cpuLimit: "2"
            """)
        let config = try XCTUnwrap(try SizingConfig.load(path: path))
        XCTAssertEqual(config.historyPath, "ops/history.sqlite")
        XCTAssertEqual(config.tier, .cost)
        XCTAssertEqual(config.tiers, ["prod": .performance])
        XCTAssertEqual(config.cpuLimit, .ratio(2))
        XCTAssertNil(try SizingConfig.load(path: "/nonexistent/komply.yaml"))
        let topLevel = try write("history:\n  path: h.sqlite\npredict:\n  tier: performance\n")
        XCTAssertEqual(try SizingConfig.load(path: topLevel)?.historyPath, "h.sqlite")
    }

    func testBadTierNamesItsPosition() throws {
        let path = try write("predict:\n  tier: luxury\n")
        XCTAssertThrowsError(try SizingConfig.load(path: path)) { error in
            XCTAssertEqual((error as? PredictError)?.localizedDescription, "\(path):2:9: expected tier cost, balanced or performance")
        }
    }

    func testCPULimitPolicyParsing() throws {
        XCTAssertEqual(try CPULimitPolicy(parsing: "none"), .none)
        XCTAssertEqual(try CPULimitPolicy(parsing: "1.5x"), .ratio(1.5))
        XCTAssertEqual(try CPULimitPolicy(parsing: "ratio:2"), .ratio(2))
        XCTAssertThrowsError(try CPULimitPolicy(parsing: "0.5"))
    }
}
