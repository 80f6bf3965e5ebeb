import Foundation
import KomplyCore
import KomplyPredict
import KomplySources
import XCTest

@testable import KomplyGenerate
@testable import KomplyPipeline

/// Sizing and the generator's labels come from one classification (issue 15, item 2).
final class PredictInputTests: XCTestCase {
    func testFeaturesCarryTheGeneratorsClassification() throws {
        let folder = Paths.canonical(
            FileManager.default.temporaryDirectory.appendingPathComponent("komply-predict-\(UUID().uuidString.prefix(8))").path)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/.git", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/web", withIntermediateDirectories: true)
        try Data("FROM node:20 AS dev\nFROM nginx:1.27-alpine\n".utf8).write(to: URL(fileURLWithPath: folder + "/web/Dockerfile"))
        try FileManager.default.createDirectory(atPath: folder + "/tasks", withIntermediateDirectories: true)
        try Data("FROM example.com/base:1\n".utf8).write(to: URL(fileURLWithPath: folder + "/tasks/Dockerfile"))
        try Data("celery\n".utf8).write(to: URL(fileURLWithPath: folder + "/tasks/requirements.txt"))
        try Data(
            """
            services:
              frontend:
                build: web
              exporter:
                image: prom/node-exporter:v1.8.2
              tasks:
                build: tasks
              inference:
                image: ghcr.io/example/inference:2
                ports: ["8000"]
                deploy: {resources: {reservations: {devices: [{capabilities: [gpu], count: 2}]}}}
            """.utf8
        ).write(to: URL(fileURLWithPath: folder + "/compose.yaml"))
        let projects = try SourceLoader.load(SourceRequest(paths: [folder], environment: [:]))
        let features = Dictionary(uniqueKeysWithValues: PredictInput.features(of: projects).map { ($0.service, $0) })
        for project in projects {
            for service in project.services {
                let classification = Classifier.classify(service, options: try ServiceOptions.read(service), project: project)
                XCTAssertEqual(features[service.name]?.classified?.role, classification.role.value.rawValue, service.name)
                XCTAssertEqual(WorkloadTraits.of(features[service.name]!).role, classification.role.value.rawValue, service.name)
            }
        }
        XCTAssertEqual(features["frontend"]?.classified?.family, "nginx", "the Dockerfile's final FROM")
        XCTAssertEqual(WorkloadTraits.of(features["frontend"]!).runtime, "nginx")
        XCTAssertNil(WorkloadTraits.of(features["exporter"]!).runtime, "node-exporter is not Node.js")
        XCTAssertEqual(features["inference"]?.classified?.gpus, 2)
        XCTAssertEqual(WorkloadTraits.of(features["tasks"]!).runtime, "python", "known only from the build context's requirements.txt")
        let tasks = Recommender().recommend(features["tasks"]!)
        XCTAssertTrue(tasks.reasons.contains { $0.hasPrefix("Starting point for python runtime") }, "\(tasks.reasons)")
    }
}
