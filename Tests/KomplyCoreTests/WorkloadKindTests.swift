import KomplyCore
import XCTest

final class WorkloadKindTests: XCTestCase {
    func testPodTemplatePathsAgreeWithTheKindTable() {
        for kind in WorkloadKind.allCases {
            XCTAssertEqual(WorkloadKind.podSpecPath(forKind: kind.rawValue), kind.podTemplatePath, kind.rawValue)
        }
        XCTAssertEqual(WorkloadKind.deployment.podTemplatePath, ["spec", "template", "spec"])
        XCTAssertEqual(WorkloadKind.cronJob.podTemplatePath, ["spec", "jobTemplate", "spec", "template", "spec"])
    }

    func testPodSpecPathCoversEveryPodRunningKind() {
        XCTAssertEqual(WorkloadKind.podSpecPath(forKind: "Pod"), ["spec"])
        for kind in ["ReplicaSet", "ReplicationController", "DaemonSet", "StatefulSet", "Job"] {
            XCTAssertEqual(WorkloadKind.podSpecPath(forKind: kind), ["spec", "template", "spec"], kind)
        }
        for kind in ["Service", "ConfigMap", "deployment", "PodTemplate"] {
            XCTAssertNil(WorkloadKind.podSpecPath(forKind: kind), kind)
        }
    }

    func testFactsAsTheGeneratorDecidesThem() {
        XCTAssertEqual(WorkloadKind.allCases.filter(\.isScalable), [.deployment, .statefulSet])
        XCTAssertEqual(WorkloadKind.allCases.filter(\.isAutoscaled), [.deployment])
        XCTAssertEqual(WorkloadKind.allCases.filter(\.exposesService), [.deployment, .statefulSet, .daemonSet])
        XCTAssertEqual(WorkloadKind.allCases.filter(\.hasProbes), [.deployment, .statefulSet, .daemonSet])
        XCTAssertEqual(WorkloadKind.allCases.compactMap(\.restartPolicy), ["OnFailure", "OnFailure"])
        XCTAssertEqual(WorkloadKind.job.apiVersion, "batch/v1")
        XCTAssertEqual(WorkloadKind.statefulSet.apiVersion, "apps/v1")
        XCTAssertEqual(WorkloadKind(rawValue: "StatefulSet"), .statefulSet)
    }
}
