import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// Overlays rendered in-process: what each transform does, where findings land, what is not rendered.
final class OverlayLintTests: XCTestCase {
    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          replicas: 3
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              containers:
                - name: api
                  image: registry.local:5000/shop/api:1.2.3
                  resources:
                    requests: {cpu: 100m, memory: 128Mi}
                    limits: {cpu: 200m, memory: 256Mi}

        """

    func lint(overlay: String, rules: [String]) throws -> [Finding] {
        let linter = try Linter(only: rules, today: LintTestSupport.today)
        let sources = [
            ManifestSource(file: "t/base/api.yaml", text: Self.deployment),
            ManifestSource(
                file: "t/base/kustomization.yaml",
                text: "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [api.yaml]\n"),
            ManifestSource(file: "t/overlays/dev/kustomization.yaml", text: overlay),
        ]
        return OverlayLint.adding(to: linter.lint(sources: sources), linter: linter).findings
    }

    func testTransformsAreAppliedAndFindingsLandOnTheOverlayEntry() throws {
        let overlay = """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            namespace: shop-dev
            resources: [../../base]
            images:
              - name: registry.local:5000/shop/api
                newTag: latest
            replicas:
              - name: api
                count: 1
            patches:
              - target: {kind: Deployment, name: api}
                patch: '[{"op":"remove","path":"/spec/template/spec/containers/0/resources/limits"}]'

            """
        let findings = try lint(overlay: overlay, rules: ["single-replica", "latest-image-tag", "missing-memory-limit"])
        let placed = findings.map { "\($0.ruleID) \($0.location.file):\($0.location.range!.start.line)" }.sorted()
        XCTAssertEqual(
            placed,
            [
                "latest-image-tag t/overlays/dev/kustomization.yaml:6",
                "missing-memory-limit t/overlays/dev/kustomization.yaml:12",
                "single-replica t/overlays/dev/kustomization.yaml:9",
            ])
        XCTAssertTrue(findings.allSatisfy { $0.message.hasSuffix("(as overlay \"dev\" renders it)") && $0.fix == nil })
        XCTAssertTrue(findings.contains { $0.message.contains("\"registry.local:5000/shop/api:latest\"") }, "\(findings.map(\.message))")
    }

    func testWhatTheBaseAlreadyHasIsNotRepeated() throws {
        let overlay = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop-dev\nresources: [../../base]\n"
        XCTAssertEqual(try lint(overlay: overlay, rules: ["single-replica", "latest-image-tag", "missing-memory-limit"]), [])
    }

    func testOverlaysUsingOtherFeaturesOrResourcesOutsideAreNotRendered() throws {
        let strategic = """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources: [../../base]
            replicas: [{name: api, count: 1}]
            patches:
              - path: more.yaml

            """
        XCTAssertEqual(try lint(overlay: strategic, rules: ["single-replica"]), [])
        let outside =
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [/etc/komply-none]\nreplicas: [{name: api, count: 1}]\n"
        XCTAssertEqual(try lint(overlay: outside, rules: ["single-replica"]), [])
    }
}
