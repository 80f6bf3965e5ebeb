import XCTest

@testable import KomplyCore

/// One pod-spec locator per kind (`WorkloadKind.podSpecPath(forKind:)`), shared by the linter's object
/// views and the generator.
final class KubeObjectTests: XCTestCase {
    func object(_ yaml: String) throws -> KubeObject {
        KubeObject(node: try XCTUnwrap(YAMLLoader.parse(yaml, file: "o.yaml").first))
    }

    func testPodSpecsAreFoundWhereEachKindKeepsThem() throws {
        let cases: [(String, String)] = [
            ("kind: Pod\nmetadata: {name: p, labels: {a: b}}\nspec: {containers: [{name: c, image: x}]}\n", "spec"),
            ("kind: Deployment\nspec: {template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c}]}}}\n", "spec.template.spec"),
            (
                "kind: CronJob\nspec: {jobTemplate: {spec: {template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c}]}}}}}\n",
                "spec.jobTemplate.spec.template.spec"
            ),
            ("kind: Rollout\nspec: {template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c}]}}}\n", "spec.template.spec"),
            ("kind: MyWorkload\nspec: {template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c}]}}}\n", "spec.template.spec"),
        ]
        for (yaml, path) in cases {
            let object = try object("apiVersion: v1\n" + yaml)
            XCTAssertTrue(object.hasPodSpec, yaml)
            XCTAssertEqual(object.podSpecPath, path, yaml)
            XCTAssertEqual(object.podLabels, ["a": "b"], yaml)
            XCTAssertEqual(object.containers().map(\.name), ["c"], yaml)
            XCTAssertEqual(object.containers().first?.path, path + ".containers[c]", yaml)
        }
    }

    func testWhatIsNotAPodSpec() throws {
        let customWithoutContainers = try object("kind: MyThing\nspec: {template: {spec: {replicas: 2}}}\n")
        XCTAssertFalse(customWithoutContainers.hasPodSpec, "a custom resource's template counts only when it lists containers")
        let labelsOnly = try object("kind: Deployment\nspec: {template: {metadata: {labels: {a: b}}}}\n")
        XCTAssertFalse(labelsOnly.hasPodSpec)
        XCTAssertTrue(labelsOnly.isWorkload, "a controller whose template has labels still owns pods for selectors")
        XCTAssertFalse(try object("kind: ConfigMap\ndata: {a: b}\n").isWorkload)
    }

    func testEveryGeneratedKindHasItsPath() {
        for kind in WorkloadKind.allCases {
            XCTAssertEqual(WorkloadKind.podSpecPath(forKind: kind.rawValue), kind.podTemplatePath)
        }
        XCTAssertEqual(WorkloadKind.podSpecPath(forKind: "Pod"), ["spec"])
        XCTAssertNil(WorkloadKind.podSpecPath(forKind: "Service"))
    }
}
