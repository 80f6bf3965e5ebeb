import Foundation
import KomplySources
import XCTest

@testable import KomplyPipeline

/// Issue 19: with several apps, one that cannot be read is a failure of that app, not of the run; a sync
/// still syncs the other apps and lists the failed one.
final class AppFailureTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("komply-apps-\(UUID().uuidString.prefix(8))").path
        for (app, text) in [("shop", "services:\n  web:\n    image: nginx:1.27\n"), ("broken", "services:\n  web: [\n")] {
            try FileManager.default.createDirectory(atPath: root + "/" + app, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/\(app)/compose.yaml"))
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func request(_ apps: [String]) -> GenerateRequest {
        GenerateRequest(
            sources: SourceRequest(paths: apps.map { root + "/" + $0 }, root: root), output: root + "/deploy", noPredict: true)
    }

    func testAFailedAppIsReportedAndTheOthersAreGenerated() throws {
        let pipeline = try GeneratePipeline.run(request(["broken", "shop"]))
        XCTAssertEqual(pipeline.projects.map(\.name), ["shop"])
        XCTAssertEqual(pipeline.failures.map(\.app), [root + "/broken"])
        XCTAssertTrue(pipeline.failures[0].message.contains("broken/compose.yaml:"), pipeline.failures[0].message)
        XCTAssertEqual(pipeline.result.scope, ["shop/"], "the failed app's folder is not this run's to write or remove")
    }

    func testEveryAppFailingAndASingleAppFailAsBefore() throws {
        XCTAssertThrowsError(try GeneratePipeline.run(request(["broken"]))) { error in
            XCTAssertFalse(error is PipelineError, "one app: its own error, unchanged")
        }
        XCTAssertThrowsError(try GeneratePipeline.run(request(["broken", "broken/compose.yaml"]))) { error in
            guard case .appsFailed(let failures)? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(failures.count, 2)
        }
    }

    func testSyncKeepsTheGoodAppsAndListsTheFailedOne() async throws {
        let generation = try await SyncGeneration.run(request(["broken", "shop"]))
        XCTAssertEqual(generation.apps.map(\.app), ["shop"])
        XCTAssertEqual(generation.failures.map(\.app), [root + "/broken"])
        XCTAssertEqual(generation.scope, ["shop/"], "the failed app's committed folder is not touched")
        let body = generation.pullRequestBody(apps: ["shop"], folder: "deploy")
        XCTAssertTrue(body.contains("### Not regenerated"), body)
        XCTAssertTrue(body.contains("broken/compose.yaml:"), body)
    }
}
