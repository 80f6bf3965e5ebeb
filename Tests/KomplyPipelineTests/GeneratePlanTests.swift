import Foundation
import KomplyCore
import KomplyPredict
import KomplySources
import XCTest

@testable import KomplyPipeline

/// The generate plan reads komply.yaml once and hands the same file to every feature: the
/// generator's settings, the sources globs and the sizing section.
final class GeneratePlanTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("komply-plan-\(UUID().uuidString.prefix(8))").path
        for app in ["shop", "blog"] {
            try FileManager.default.createDirectory(atPath: root + "/apps/" + app, withIntermediateDirectories: true)
            try Data("services:\n  web:\n    image: nginx:1.27\n".utf8).write(
                to: URL(fileURLWithPath: root + "/apps/\(app)/compose.yaml"))
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func writeConfig(_ body: String) throws -> String {
        let path = root + "/komply.yaml"
        try Data(("apiVersion: komply.dev/v1\nkind: Config\n" + body).utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testSourcesAndOutputAreRelativeToTheConfigFile() throws {
        let config = try writeConfig("sources: [apps/*/compose.yaml]\noutput: manifests\npredict:\n  tier: cost\n")
        let plan = try GeneratePlan.make(GenerateRequest(sources: SourceRequest(), config: config))
        XCTAssertEqual(plan.sourceRequest.paths, [root + "/apps/blog/compose.yaml", root + "/apps/shop/compose.yaml"])
        XCTAssertEqual(plan.outputDirectory, root + "/manifests")
        XCTAssertEqual(plan.config?.path, config, "the same file is handed on to sizing")
        XCTAssertEqual(try plan.config.map(SizingConfig.read)?.tier, .cost)
    }

    func testATrailingSlashOnTheOutputFolderIsDropped() throws {
        let config = try writeConfig("output: manifests/\n")
        XCTAssertEqual(
            try GeneratePlan.make(GenerateRequest(sources: SourceRequest(), config: config)).outputDirectory, root + "/manifests")
        let flag = try GeneratePlan.make(GenerateRequest(sources: SourceRequest(), output: "out//", config: config))
        XCTAssertEqual(flag.outputDirectory, "out")
        XCTAssertEqual(try GeneratePlan.make(GenerateRequest(sources: SourceRequest(), output: "/", config: config)).outputDirectory, "/")
    }

    func testPathsGivenWinOverTheConfiguredSources() throws {
        let config = try writeConfig("sources: [apps/*/compose.yaml]\n")
        let plan = try GeneratePlan.make(GenerateRequest(sources: SourceRequest(paths: [root + "/apps/shop"]), config: config))
        XCTAssertEqual(plan.sourceRequest.paths, [root + "/apps/shop"])
    }

    func testSourcesThatMatchNothingAreAnError() throws {
        let config = try writeConfig("sources: [services/*/compose.yaml]\n")
        XCTAssertThrowsError(try GeneratePlan.make(GenerateRequest(sources: SourceRequest(), config: config))) { error in
            guard case .sourcesMatchNothing = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertTrue(error.localizedDescription.contains("expected globs such as"), error.localizedDescription)
        }
    }

    func testAnUnknownEnvironmentNamesTheKnownOnes() throws {
        let config = try writeConfig("environments:\n  - name: staging\n  - name: prod\n")
        XCTAssertThrowsError(
            try GeneratePlan.make(GenerateRequest(sources: SourceRequest(), environments: ["qa"], config: config))
        ) { error in
            XCTAssertEqual(error as? PipelineError, .unknownEnvironment(name: "qa", known: ["prod", "staging"]))
            XCTAssertEqual(
                error.localizedDescription, "--env qa: no such environment in komply.yaml; expected one of prod, staging")
        }
        let plan = try GeneratePlan.make(GenerateRequest(sources: SourceRequest(), environments: ["prod"], config: config))
        XCTAssertEqual(plan.settings.environments.map(\.name), ["staging", "prod"], "every environment is still generated")
        XCTAssertEqual(plan.settings.selectedEnvironments, ["prod"], "only prod's files are written")
    }

    func testTheHistoryPathIsRelativeToTheConfigFile() throws {
        let config = try ConfigFile.load(path: try writeConfig("predict:\n  history: ops/history.sqlite\n"))
        XCTAssertEqual(try HistoryLocation.resolve(nil, config: config), root + "/ops/history.sqlite")
        XCTAssertEqual(try HistoryLocation.resolve("mine.sqlite", config: config), "mine.sqlite", "the flag wins")
        XCTAssertEqual(try HistoryLocation.resolve(nil, config: nil), HistoryLocation.defaultPath)
    }

    func testNowComesFromTheFlagThenTheEnvironment() throws {
        XCTAssertEqual(try HistoryLocation.now("2026-01-31T12:00:00Z", environment: [:]), 1_769_860_800)
        XCTAssertEqual(try HistoryLocation.now(nil, environment: ["KOMPLY_NOW": "1000"]), 1000)
        XCTAssertThrowsError(try HistoryLocation.now("yesterday", environment: [:])) { error in
            XCTAssertEqual(error as? PipelineError, .invalidTime("yesterday"))
        }
    }

    func testFeaturesCarryWhatTheServiceDeclares() throws {
        let projects = try SourceLoader.load(SourceRequest(paths: [root + "/apps/shop"]))
        let features = PredictInput.features(of: projects)
        XCTAssertEqual(features.map(\.service), ["web"])
        XCTAssertEqual(features.first?.image, "nginx:1.27")
        XCTAssertEqual(features.first?.app, "shop")
    }
}
