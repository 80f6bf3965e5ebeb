import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// The Pod Security evaluator on hand-made pods (one failing check each), and the generator's namespace labels
/// for compose choices that need more than `restricted`, judged by that evaluator.
final class PodSecurityTests: XCTestCase {
    /// A pod that `restricted` admits; each case below changes one field of it.
    static let compliant = """
        kind: Deployment
        metadata: {name: app}
        spec:
          template:
            metadata: {annotations: {}}
            spec:
              securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault},
                sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]}
              containers:
                - name: app
                  ports: [{containerPort: 80}]
                  securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}
              volumes: [{name: a, emptyDir: {}}, {name: b, configMap: {name: x}}, {name: c, persistentVolumeClaim: {claimName: c}}]
        """

    func pod(_ yaml: String) throws -> PodSecurityEvaluator.Pod {
        let objects = try YAMLLoader.parse(yaml, file: "pod.yaml").map { $0.valueTree() }
        return try XCTUnwrap(PodSecurityEvaluator.pods(in: objects).first)
    }

    /// `compliant` with one line replaced.
    func variant(_ old: String, _ new: String) throws -> PodSecurityEvaluator.Pod {
        XCTAssertTrue(Self.compliant.contains(old), old)
        return try pod(Self.compliant.replacingOccurrences(of: old, with: new))
    }

    func testEachCheckFailsItsLevelAndNoStricter() throws {
        XCTAssertEqual(PodSecurityEvaluator.leastLevel(try pod(Self.compliant)), .restricted)
        let spec = "    spec:\n"
        let container = "securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}"
        let cases: [(String, PodSecurityEvaluator.Pod, PodSecurityEvaluator.Level, String)] = [
            ("hostNetwork", try variant(spec, spec + "      hostNetwork: true\n"), .privileged, "hostNamespaces"),
            ("hostPID", try variant(spec, spec + "      hostPID: true\n"), .privileged, "hostNamespaces"),
            ("hostIPC", try variant(spec, spec + "      hostIPC: true\n"), .privileged, "hostNamespaces"),
            (
                "privileged", try variant("allowPrivilegeEscalation: false,", "privileged: true, allowPrivilegeEscalation: false,"),
                .privileged, "privileged"
            ),
            ("NET_ADMIN", try variant("add: [NET_BIND_SERVICE]", "add: [NET_ADMIN]"), .privileged, "capabilities"),
            ("CHOWN", try variant("add: [NET_BIND_SERVICE]", "add: [CHOWN]"), .baseline, "capabilities"),
            ("hostPath", try variant("{name: a, emptyDir: {}}", "{name: a, hostPath: {path: /data}}"), .privileged, "hostPathVolumes"),
            ("hostPort", try variant("{containerPort: 80}", "{containerPort: 80, hostPort: 80}"), .privileged, "hostPorts"),
            ("sysctl", try variant("net.ipv4.ip_unprivileged_port_start", "net.core.somaxconn"), .privileged, "sysctls"),
            (
                "procMount", try variant("allowPrivilegeEscalation: false,", "procMount: Unmasked, allowPrivilegeEscalation: false,"),
                .privileged, "procMount"
            ),
            (
                "seLinux type", try variant("runAsNonRoot: true,", "seLinuxOptions: {type: spc_t}, runAsNonRoot: true,"), .privileged,
                "seLinuxOptions"
            ),
            (
                "seLinux user", try variant("runAsNonRoot: true,", "seLinuxOptions: {user: root}, runAsNonRoot: true,"), .privileged,
                "seLinuxOptions"
            ),
            (
                "AppArmor field",
                try variant("allowPrivilegeEscalation: false,", "appArmorProfile: {type: Unconfined}, allowPrivilegeEscalation: false,"),
                .privileged, "appArmorProfile"
            ),
            (
                "AppArmor annotation",
                try variant("annotations: {}", "annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}"),
                .privileged, "appArmorProfile"
            ),
            (
                "seccomp Unconfined", try variant("seccompProfile: {type: RuntimeDefault}", "seccompProfile: {type: Unconfined}"),
                .privileged, "seccompProfile"
            ),
            (
                "hostProcess",
                try variant("allowPrivilegeEscalation: false,", "windowsOptions: {hostProcess: true}, allowPrivilegeEscalation: false,"),
                .privileged, "hostProcess"
            ),
            (
                "volume type", try variant("{name: b, configMap: {name: x}}", "{name: b, nfs: {server: n, path: /}}"), .baseline,
                "volumeTypes"
            ),
            (
                "escalation", try variant("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"), .baseline,
                "allowPrivilegeEscalation"
            ),
            (
                "escalation unset", try variant(container, "securityContext: {capabilities: {drop: [ALL]}}"), .baseline,
                "allowPrivilegeEscalation"
            ),
            ("root", try variant("runAsNonRoot: true, runAsUser: 1000", "runAsNonRoot: false, runAsUser: 1000"), .baseline, "runAsNonRoot"),
            ("uid 0", try variant("runAsUser: 1000", "runAsUser: 0"), .baseline, "runAsUser"),
            ("no seccomp", try variant("seccompProfile: {type: RuntimeDefault},", ""), .baseline, "seccompProfile"),
            ("caps kept", try variant("drop: [ALL], ", ""), .baseline, "capabilities"),
        ]
        for (name, pod, least, check) in cases {
            XCTAssertEqual(PodSecurityEvaluator.leastLevel(pod), least, name)
            let below = PodSecurityEvaluator.Level.allCases.last { $0 < least }!
            XCTAssertTrue(
                PodSecurityEvaluator.failures(pod, at: below).contains { $0.check == check }, "\(name) fails \(check) at \(below)")
        }
        // A container's own setting wins over the pod's: runAsNonRoot false in a container fails restricted.
        let override = try variant("allowPrivilegeEscalation: false,", "runAsNonRoot: false, allowPrivilegeEscalation: false,")
        XCTAssertEqual(PodSecurityEvaluator.leastLevel(override), .baseline)
        // CronJob templates are found one level deeper.
        let lines = Self.compliant.replacingOccurrences(of: "kind: Deployment", with: "kind: CronJob").components(separatedBy: "\n")
        let templateLine = try XCTUnwrap(lines.firstIndex(of: "  template:"))
        let cron = (lines[..<templateLine] + ["  jobTemplate:", "    spec:"] + lines[templateLine...].map { "    " + $0 })
            .joined(separator: "\n")
        let cronPod = try pod(cron)
        XCTAssertEqual(cronPod.kind, "CronJob")
        XCTAssertEqual(PodSecurityEvaluator.leastLevel(cronPod), .restricted)
        let privilegedCron = try pod(
            cron.replacingOccurrences(of: "allowPrivilegeEscalation: false,", with: "privileged: true, allowPrivilegeEscalation: false,"))
        XCTAssertEqual(PodSecurityEvaluator.leastLevel(privilegedCron), .privileged)
        // Init containers are checked like the others.
        let initContainer = try variant(
            "      containers:\n", "      initContainers: [{name: init, securityContext: {privileged: true}}]\n      containers:\n")
        XCTAssertEqual(PodSecurityEvaluator.leastLevel(initContainer), .privileged)
    }

    /// Compose choices that need more than restricted lower the namespace exactly as far as needed, with a warning
    /// at the compose key; `restricted` otherwise.
    func testNamespaceLevelFollowsWhatThePodsNeed() throws {
        let cases: [(String, PodSecurityEvaluator.Level, String?)] = [
            ("    image: nginx:1.27\n", .restricted, nil),
            ("    image: nginx:1.27\n    user: root\n", .baseline, "user"),
            ("    image: nginx:1.27\n    cap_add: [CHOWN]\n", .baseline, "cap_add"),
            ("    image: nginx:1.27\n    cap_add: [NET_BIND_SERVICE]\n", .restricted, nil),
            ("    image: nginx:1.27\n    cap_add: [cap_net_admin]\n", .privileged, "cap_add"),
            ("    image: nginx:1.27\n    privileged: true\n", .privileged, "privileged"),
            ("    image: nginx:1.27\n    pid: host\n    network_mode: host\n", .restricted, nil),
            (
                "    image: nginx:1.27\n    network_mode: host\n    x-komply:\n      accept: {host-network: {reason: r, expires: 2099-01-01}}\n",
                .privileged, "network_mode"
            ),
            (
                "    image: nginx:1.27\n    pid: host\n    x-komply:\n      accept: {host-pid: {reason: r, expires: 2099-01-01}}\n",
                .privileged, "pid"
            ),
            (
                "    image: nginx:1.27\n    volumes: [/srv/data:/data]\n    x-komply:\n      hostPath: {/srv/data: {reason: r, expires: 2099-01-01}}\n",
                .privileged, "volumes"
            ),
        ]
        for (body, expected, key) in cases {
            let (result, level, pods) = try generate("name: shop\nservices:\n  web:\n\(body)", environments: ["dev", "prod"])
            XCTAssertEqual(level, expected, body)
            for pod in pods { XCTAssertEqual(PodSecurityEvaluator.failures(pod, at: level), [], body) }
            if expected > .restricted {
                XCTAssertTrue(
                    PodSecurityEvaluator.failures(pods[0], at: .allCases.last { $0 < expected }!).count > 0, "the level is the least")
            }
            let warnings = result.notices.filter { $0.message.contains("its pod needs Pod Security") }
            if let key {
                let warning = try XCTUnwrap(warnings.first, body)
                XCTAssertTrue(warning.message.contains("namespaces shop-dev, shop-prod enforce \(expected)"), warning.message)
                // Line 5 of the compose text holds the key that asked for it.
                XCTAssertEqual(warning.location?.range?.start.line, 5, "\(key): \(warning)")
            } else {
                XCTAssertEqual(warnings, [], body)
            }
        }
    }

    /// A template override that adds to the pod is judged too: the level is read off the rendered workload.
    func testATemplateOverrideThatNeedsMoreLowersTheNamespace() throws {
        let templates = FileManager.default.temporaryDirectory.appendingPathComponent("komply-pss-t-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: templates, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: templates) }
        try Data("{{% CONTENT_TYPE: TEXT}}\nspec:\n  template:\n    spec:\n      hostIPC: true\n".utf8)
            .write(to: URL(fileURLWithPath: templates + "/Deployment.yaml.mustache"))
        let (result, level, pods) = try generate(
            "name: shop\nservices:\n  web:\n    image: nginx:1.27\n", environments: ["dev"],
            templates: try TemplateSet.overriding(with: templates))
        XCTAssertEqual(pods.first?.spec["hostIPC"], .bool(true))
        XCTAssertEqual(level, .privileged)
        let warning = try XCTUnwrap(result.notices.first { $0.message.contains("its pod needs Pod Security privileged (hostIPC: true)") })
        XCTAssertEqual(warning.location?.range?.start.line, 3, "no compose key asked for it: the service's line")
    }

    /// Two apps deploying to one namespace would overwrite each other's Namespace (and its level): warned.
    func testAppsSharingANamespaceAreWarned() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("komply-pss-ns-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (app, body) in [("vpn", "    cap_add: [NET_ADMIN]\n"), ("web", "")] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(app)", withIntermediateDirectories: true)
            try Data("services:\n  \(app):\n    image: nginx:1.27\n\(body)".utf8).write(
                to: URL(fileURLWithPath: "\(root)/\(app)/compose.yaml"))
        }
        var settings = GeneratorSettings()
        settings.namespaceTemplate = "team"
        let projects = try SourceLoader.load(SourceRequest(paths: ["\(root)/vpn", "\(root)/web"]))
        let shared = try Generator(settings: settings).generate(projects).notices.filter { $0.message.contains("all deploy to namespace") }
        XCTAssertEqual(shared.map(\.message).first?.hasPrefix("apps vpn, web all deploy to namespace team"), true, "\(shared)")
        settings.namespaceTemplate = "{app}"
        XCTAssertFalse(
            try Generator(settings: settings).generate(projects).notices.contains { $0.message.contains("all deploy to namespace") })
    }

    /// Generates one compose text; returns the result, the level every overlay namespace enforces (all equal) and
    /// the pods of the base.
    func generate(_ compose: String, environments: [String], templates: TemplateSet = .builtIn) throws -> (
        GenerationResult, PodSecurityEvaluator.Level, [PodSecurityEvaluator.Pod]
    ) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-pss-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(compose.utf8).write(to: URL(fileURLWithPath: folder + "/compose.yaml"))
        var settings = GeneratorSettings()
        settings.environments = environments.map { EnvironmentConfig(name: $0) }
        let result = try Generator(settings: settings, templates: templates).generate(try SourceLoader.load(SourceRequest(paths: [folder])))
        let levels = try PodSecurityCorpusTests.enforcedLevels(result)
        XCTAssertEqual(levels.count, environments.count)
        XCTAssertEqual(Set(levels.values).count, 1)
        return (result, try XCTUnwrap(levels.values.first), try PodSecurityCorpusTests.basePods(result))
    }
}
