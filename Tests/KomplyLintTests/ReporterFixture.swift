import Foundation
import KomplyCore

@testable import KomplyLint

/// The fixed lint run the reporter goldens render: hand-built rules and findings over the files of
/// fixtures/lint/shop, covering object- and container-level findings, every severity, a fix, a
/// suppressed finding, a disabled rule with no findings, two files and a file that failed to parse.
enum ReporterFixture {
    static let deployment = "fixtures/lint/shop/deployment.yaml"
    static let list = "fixtures/lint/shop/list.json"
    static let broken = "fixtures/lint/shop/broken.yaml"

    /// The rules the run knows, in the order a loader would give them.
    static let rules: [Rule] = [
        rule(
            "run-as-root", "security", .error, "Containers may run as root.",
            "Set securityContext.runAsNonRoot: true (or a non-zero runAsUser) on the container or the pod.",
            help: "A process running as root in a container is root on the node if it escapes.",
            references: ["https://kubernetes.io/docs/concepts/security/pod-security-standards/"]),
        rule(
            "secret-in-env", "secrets", .error, "Containers carry a plaintext secret in an environment value.",
            "Move the value into a Secret and reference it with valueFrom.secretKeyRef."),
        rule(
            "secret-in-configmap", "secrets", .error, "ConfigMaps hold plaintext secrets.",
            "Move the value into a Secret."),
        rule(
            "latest-image-tag", "images", .warning, "Containers use the mutable latest tag.", "Pin the image to a version tag or a digest."),
        rule(
            "single-replica", "availability", .warning, "Deployments and StatefulSets run a single replica, so any restart is an outage.",
            "Run at least two replicas (or let a HorizontalPodAutoscaler with minReplicas of two or more manage them)."),
        rule(
            "missing-cpu-limit", "resources", .info, "Containers have no CPU limit.",
            "Set resources.limits.cpu from observed usage (komply generate sizes it from history)."),
        rule(
            "image-not-pinned-by-digest", "images", .info, "Containers name an image by tag instead of by digest.",
            "Reference the image by digest (name@sha256:…) so every pull gets the same bytes.", enabled: false),
    ]

    /// The run: its findings in report order, one suppressed finding and one problem.
    static func make() throws -> (result: Linter.Result, rules: [Rule]) {
        let api = ObjectReference(apiVersion: "apps/v1", kind: "Deployment", name: "api", namespace: "shop")
        let configMap = ObjectReference(apiVersion: "v1", kind: "ConfigMap", name: "api", namespace: "shop")
        let runAsNonRoot = Fix(summary: "set securityContext.runAsNonRoot: true", edits: [])
        let findings = [
            finding(
                "single-replica", .warning, #"Deployment "shop/api" runs a single replica"#, deployment, (13, 3), (13, 14), api, nil,
                "spec.replicas"),
            finding(
                "missing-cpu-limit", .info, #"container "api" in Deployment "shop/api" has no cpu limit"#, deployment, (23, 11), (30, 9),
                api, "api", "spec.template.spec.containers[api].resources.limits.cpu"),
            finding(
                "latest-image-tag", .warning,
                #"container "api" in Deployment "shop/api" uses image "registry.example.com/shop/api:latest" with the mutable latest tag"#,
                deployment, (24, 11), (24, 54), api, "api", "spec.template.spec.containers[api].image"),
            finding(
                "run-as-root", .error,
                #"container "api" in Deployment "shop/api" may run as root (neither runAsNonRoot: true nor a non-zero runAsUser applies)"#,
                deployment, (26, 13), (26, 32), api, "api", "spec.template.spec.containers[api].securityContext.runAsNonRoot",
                fix: runAsNonRoot),
            finding(
                "secret-in-env", .error,
                #"container "api" in Deployment "shop/api" sets DB_PASSWORD to a plaintext secret value in the environment"#, deployment,
                (29, 15), (29, 29), api, "api", "spec.template.spec.containers[api].env[DB_PASSWORD]"),
            finding(
                "run-as-root", .error,
                #"container "sidecar" in Deployment "shop/api" may run as root (neither runAsNonRoot: true nor a non-zero runAsUser applies)"#,
                deployment, (30, 11), (36, 1), api, "sidecar", "spec.template.spec.containers[sidecar].securityContext", fix: runAsNonRoot),
            finding(
                "secret-in-configmap", .error, #"ConfigMap "shop/api" holds a plaintext secret in data key API_TOKEN"#, list, (3, 34),
                (3, 61), configMap, nil, "data.API_TOKEN"),
        ]
        let suppressed = finding(
            "latest-image-tag", .warning,
            #"container "sidecar" in Deployment "shop/api" uses image "mirror.example.com/proxy:latest" with the mutable latest tag"#,
            deployment, (31, 11), (31, 49), api, "sidecar", "spec.template.spec.containers[sidecar].image")
        let problem = LintError.core(
            .syntax(
                SourceLocation(file: broken, range: range((6, 1), (6, 1))),
                problem: "did not find expected ',' or ']' while parsing a flow sequence at line 5, column 11"))
        var texts: [String: String] = [:]
        for file in [deployment, list] { texts[file] = try String(contentsOfFile: LintTestSupport.path(file), encoding: .utf8) }
        let result = Linter.Result(
            findings: findings, suppressed: [Linter.Suppressed(finding: suppressed, reason: "mirror only")], problems: [problem],
            files: [deployment, list], texts: texts, objectCount: 3, objects: [], rules: rules.filter(\.enabledByDefault), timings: nil)
        return (result, rules)
    }
}

extension ReporterFixture {
    static func rule(
        _ id: String, _ category: String, _ severity: Severity, _ description: String, _ remediation: String, help: String? = nil,
        references: [String] = [], enabled: Bool = true
    ) -> Rule {
        Rule(
            id: id, category: category, severity: severity, description: description, remediation: remediation, message: nil, help: help,
            scope: Rule.Scope(), check: "Assert", params: .object([]), enabledByDefault: enabled, references: references, equivalents: [:],
            source: SourceLocation(file: "rules/\(category)/\(id).yaml"), isBuiltin: true)
    }

    static func range(_ start: (Int, Int), _ end: (Int, Int)) -> SourceRange {
        SourceRange(start: SourcePosition(line: start.0, column: start.1), end: SourcePosition(line: end.0, column: end.1))
    }

    static func finding(
        _ rule: String, _ severity: Severity, _ message: String, _ file: String, _ start: (Int, Int), _ end: (Int, Int),
        _ object: ObjectReference, _ container: String?, _ path: String, fix: Fix? = nil
    ) -> Finding {
        let remediation = rules.first { $0.id == rule }!.remediation
        return Finding(
            ruleID: rule, severity: severity, message: message, remediation: remediation,
            location: SourceLocation(file: file, range: range(start, end)), object: object, container: container, path: path, fix: fix)
    }
}
