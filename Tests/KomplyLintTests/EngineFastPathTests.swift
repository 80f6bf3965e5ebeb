import Foundation
import KomplyCore
import XCTest

@testable import KomplyLint

/// The engine's fast paths (lazy paths, numeric report order, indexed selectors, byte-level string
/// helpers) give exactly what the straightforward code they replace gives.
final class EngineFastPathTests: XCTestCase {
    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: ns, annotations: {"a.b/c": x}}
        spec:
          securityContext: {runAsUser: 1000, seccompProfile: ~}
          volumes:
            - name: data
              hostPath: {path: /var/run/docker.sock}
            - emptyDir: {}
          containers:
            - name: app
              ports: [{containerPort: 80}, {name: http, containerPort: 8080}]
              env: {A: "1", B: "2"}
        """

    func testLazyPathsMatchEvaluate() throws {
        let node = try XCTUnwrap(YAMLLoader.parse(Self.pod, file: "pod.yaml").first)
        let spec = try XCTUnwrap(node["spec"])
        let field = node.pair("spec")
        let paths = [
            "spec.securityContext.runAsUser", "spec.securityContext.seccompProfile", "spec.securityContext.seccompProfile.type",
            "spec.missing.deeper", "spec.volumes[*].hostPath.path", "spec.volumes[*].name", "spec.volumes[1].emptyDir",
            "spec.volumes[5].name", "spec.volumes[0].name.x", "spec.containers[*].ports[*].name", "spec.containers[*].env[*]",
            "metadata.annotations[\"a.b/c\"]", "metadata.annotations[\"x.y\"]", "kind", "", "spec.containers[0].missing[*].x",
        ]
        for text in paths {
            let path = try XCTUnwrap(NodePath(text), text)
            for (target, base, pair) in [(node, "", nil), (spec, "spec", field)] as [(Node, String, Node.Pair?)] {
                let matches = path.evaluate(target, basePath: base, field: pair)
                var hits: [(String, SourceRange, Bool)] = []
                path.forEachHit(target, field: pair) { hit, _, _ in
                    hits.append((path.path(of: hit, basePath: base, suffixes: path.suffixDescriptions), hit.range, hit.found))
                    return true
                }
                XCTAssertEqual(hits.map(\.0), matches.map(\.path), text)
                XCTAssertEqual(hits.map(\.1), matches.map(\.reportRange), text)
                XCTAssertEqual(hits.map(\.2), matches.map { if case .found = $0 { true } else { false } }, text)
            }
        }
        // The pair reported with a found node is the one that holds it.
        guard case .found(let found, let pair?, _)? = NodePath("spec.securityContext")?.evaluate(node).first else {
            return XCTFail("expected a found field")
        }
        XCTAssertEqual(pair, spec.pair("securityContext"))
        XCTAssertEqual(found, spec["securityContext"])
        guard case .found(_, let top?, _)? = NodePath("")?.evaluate(spec, field: field).first else { return XCTFail("expected the field") }
        XCTAssertEqual(top, field)
    }

    func testReportOrderIsTheStableSortOfReportOrder() {
        var generator = SystemRandomNumberGenerator()
        let rules = ["a-rule", "b-rule", "c-rule", "z-rule"]
        for _ in 0..<20 {
            var parts: [Linter.Findings] = []
            var all: [Finding] = []
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                var part = Linter.Findings()
                for _ in 0..<Int.random(in: 0...60, using: &generator) {
                    let rank = Int.random(in: 0..<rules.count, using: &generator)
                    let line = Int.random(in: 1...4, using: &generator)
                    let position = SourcePosition(line: line, column: Int.random(in: 1...3, using: &generator))
                    let finding = Finding(
                        ruleID: rules[rank], severity: .warning, message: ["m", "n", "é"].randomElement(using: &generator)!,
                        remediation: "Fix it.",
                        location: SourceLocation(
                            file: ["b.yaml", "a.yaml", "a/b.yaml", "é.yaml"].randomElement(using: &generator)!,
                            range: SourceRange(start: position, end: position)),
                        object: ObjectReference(apiVersion: "v1", kind: "Pod", name: "p", namespace: nil),
                        container: [nil, "", "api", "web"].randomElement(using: &generator)!, path: "x")
                    part.append(finding, rule: rank)
                    all.append(finding)
                }
                parts.append(part)
            }
            // A stable sort by the public comparator (indices break ties).
            let expected = all.indices.sorted { a, b in
                Finding.reportOrder(all[a], all[b]) || (!Finding.reportOrder(all[b], all[a]) && a < b)
            }.map { all[$0] }
            XCTAssertEqual(Linter.Findings.inReportOrder(parts), expected)
        }
    }

    func testFingerprintIsFNVOfTheJoinedParts() {
        let finding = Finding(
            ruleID: "run-as-root", severity: .error, message: "m", remediation: "r.", location: SourceLocation(file: "dir/é.yaml"),
            object: ObjectReference(apiVersion: "apps/v1", kind: "Deployment", name: "api", namespace: "shop"), container: "api",
            path: "spec.template.spec.containers[api].securityContext")
        let joined = [
            "run-as-root", "dir/é.yaml", "apps/v1", "Deployment", "shop", "api", "api",
            "spec.template.spec.containers[api].securityContext",
        ]
        .joined(separator: "\u{1F}")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in joined.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let digits = String(hash, radix: 16)
        XCTAssertEqual(finding.fingerprint, String(repeating: "0", count: 16 - digits.count) + digits)
        XCTAssertEqual(FNV.hex(""), "cbf29ce484222325")
    }

    func testPlaceholdersAreFilledAsFoundationFillsThem() {
        let templates = ["uses %@", "%@ and %@", "%%@", "%", "@%", "no placeholder", "", "%@%@%@", "é %@ ü", "a%@\u{301}b"]
        let values = ["x", "", "%@", "50%", "@home", "ünï", "%"]
        for template in templates {
            for value in values {
                XCTAssertEqual(
                    template.replacingPlaceholders(with: value), template.replacingOccurrences(of: "%@", with: value),
                    "\(template) \(value)")
                let pair = [value, values.randomElement()!]
                XCTAssertEqual(CheckSupport.fill(template, pair), Self.foundationFill(template, pair), "\(template) \(pair)")
            }
        }
    }

    static func foundationFill(_ template: String, _ values: [String]) -> String {
        var out = template
        for value in values {
            guard let range = out.range(of: "%@") else { break }
            out.replaceSubrange(range, with: value)
        }
        return out
    }

    func testImageReferencesSplitAsCharactersDo() {
        let images = [
            "nginx", "nginx:latest", "nginx:1.27", "registry:5000/team/app", "registry:5000/team/app:1.0",
            "app@sha256:" + String(repeating: "a", count: 64),
            "app:1.0@sha256:" + String(repeating: "b", count: 64), "app@latest", "a/b/c:d:e", ":", "/", "@", "a/:b", "a:b/c", "",
            "ünï/app:1.0", "app:ü", "reg.io/é@sha256:" + String(repeating: "c", count: 64), "x\r\n:y",
        ]
        for image in images {
            let fast = ImageTagCheck.parse(image)
            let slow = ImageTagCheck.parseCharacters(image)
            XCTAssertEqual(fast.tag, slow.tag, image)
            XCTAssertEqual(fast.digest, slow.digest, image)
        }
    }

    /// `-Xmx` sizes read from the bytes give what splitting into Characters and `Int(_:)` gave.
    func testHeapSizesReadAsCharactersAndIntDo() {
        func characters(_ text: String) -> Int? {
            var result: Int?
            for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) where token.hasPrefix("-Xmx") {
                let value = token.dropFirst(4)
                guard let last = value.last else { continue }
                let multipliers: [Character: Int] = [
                    "k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30, "t": 1 << 40, "T": 1 << 40,
                ]
                if let multiplier = multipliers[last], let n = Int(value.dropLast()) {
                    result = n * multiplier
                } else if let n = Int(value) {
                    result = n
                }
            }
            return result
        }
        let texts = [
            "-Xmx512m", "java -Xms256m -Xmx2g -jar app.jar", "-Xmx1024", "-Xmx", "-Xmx ", "-Xmxm", "-Xmx+5M", "-Xmx-5k", "-Xmx1g -Xmx2g",
            "-Xmx1G\t-Xmx3T", "x -Xmx64K\n", "-XmX1g", "--Xmx1g", "-Xmx1.5g", "-Xmx12q", "-Xmx9223372036854775807",
            "-Xmx9223372036854775808", "-Xmx-9223372036854775808", "-Xmx1g\r\n", "-Xmx1é", "-Xmx\u{301}5m", "é -Xmx7m", "-Xmx5m\u{301}",
            "JAVA_OPTS=-Xmx1g", "", "-X", "-Xmx٣m",
        ]
        for text in texts {
            XCTAssertEqual(JVMHeapCheck.heapBytes(in: text), characters(text), text)
        }
        // Beyond Int (where multiplying used to trap): the largest size.
        XCTAssertEqual(JVMHeapCheck.heapBytes(in: "-Xmx99999999999999g"), Int.max)
    }

    /// The check's per-name memo answers as the core detector does, for names built from secret words and others.
    func testSecretNameMemoAgreesWithTheDetector() throws {
        let check = SecretValueCheck(parameters: .init(target: .env, namePattern: nil, allowNamePattern: nil))
        let words = [
            "DB", "PASSWORD", "Passwd", "api", "KEY", "_key", "token", "LEVEL", "LOG", "secret", "client", "Credential",
            "access", "auth", "private", "user", "name", "-", "_", "k", "ey", "pass", "word", "TOKENS", "_FILE", "PUBLIC_KEY",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let name = (0..<Int.random(in: 1...4, using: &generator)).map { _ in words.randomElement(using: &generator)! }.joined()
            XCTAssertEqual(check.reason(name: name, value: "plain-value"), SecretDetector.reason(name: name, value: "plain-value"), name)
        }
        XCTAssertNil(check.reason(name: "LOG_LEVEL", value: "debug"))
        XCTAssertNil(check.reason(name: "DB_PASSWORD", value: "$(DB_PASSWORD)"), "a reference holds no secret")
        XCTAssertNotNil(check.reason(name: "DB_PASSWORD", value: " hunter2 "))
    }

    /// The selector index answers as a scan over every policy and budget of the namespace does.
    func testIndexedSelectorsAgreeWithAFullScan() throws {
        var generator = SystemRandomNumberGenerator()
        let keys = ["app", "tier", "team"]
        let values = ["a", "b", "c"]
        func labels() -> [String: String] {
            var out: [String: String] = [:]
            for key in keys where Bool.random(using: &generator) { out[key] = values.randomElement(using: &generator)! }
            return out
        }
        func yamlMap(_ map: [String: String]) -> String {
            "{" + map.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
        for _ in 0..<10 {
            var documents: [String] = []
            for i in 0..<12 {
                let namespace = ["n1", "n2"].randomElement(using: &generator)!
                let expression = Bool.random(using: &generator) ? "\n    matchExpressions: [{key: tier, operator: In, values: [a, b]}]" : ""
                switch i % 3 {
                case 0:
                    documents.append(
                        """
                        apiVersion: networking.k8s.io/v1
                        kind: NetworkPolicy
                        metadata: {name: p\(i), namespace: \(namespace)}
                        spec:
                          podSelector:
                            matchLabels: \(yamlMap(labels()))\(expression)
                          policyTypes: \(["[Ingress]", "[Egress]", "[Ingress, Egress]"].randomElement(using: &generator)!)
                        """)
                case 1:
                    documents.append(
                        """
                        apiVersion: policy/v1
                        kind: PodDisruptionBudget
                        metadata: {name: b\(i), namespace: \(namespace)}
                        spec:
                          selector:
                            matchLabels: \(yamlMap(labels()))\(expression)
                        """)
                default:
                    documents.append(
                        """
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: w\(i), namespace: \(namespace), labels: \(yamlMap(labels()))}
                        spec: {containers: [{name: c, image: i}]}
                        """)
                }
            }
            let objects = ManifestLoader.objects(in: try YAMLLoader.parse(documents.joined(separator: "\n---\n"), file: "x.yaml"))
            let index = ObjectIndex(objects)
            for namespace in ["n1", "n2", "n3"] {
                for _ in 0..<20 {
                    let podLabels = labels()
                    let selecting = index.networkPolicies(inNamespace: namespace).filter { $0.selector.matches(podLabels) }
                    let coverage = index.networkPolicyCoverage(inNamespace: namespace, labels: podLabels)
                    XCTAssertEqual(coverage.ingress, selecting.contains { $0.governsIngress })
                    XCTAssertEqual(coverage.egress, selecting.contains { $0.governsEgress })
                    XCTAssertEqual(
                        index.hasBudget(inNamespace: namespace, selecting: podLabels),
                        index.budgetSelectors(inNamespace: namespace).contains { $0.matches(podLabels) })
                }
            }
        }
    }

    /// Checks that declare `needsPodSpec` are skipped for objects without a pod spec; each must then
    /// find nothing in every such object — the fixtures' objects, and objects that carry container-
    /// like fields where no pod spec is (a CRD, a Service, a ConfigMap).
    func testChecksThatNeedAPodSpecFindNothingWithoutOne() throws {
        let decoys = """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w, namespace: ns}
            spec:
              containers: [{name: c, image: "nginx:latest", securityContext: {privileged: true, runAsUser: 0}}]
              template: {spec: {containers: [{name: c, image: nginx, env: [{name: PASSWORD, value: hunter2}]}]}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: s, namespace: ns}
            spec:
              template: {spec: {hostNetwork: true, containers: [{name: c, image: "nginx:latest"}]}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: m, namespace: ns}
            data: {JAVA_OPTS: "-Xmx4g", password: hunter2}
            """
        var objects = ManifestLoader.objects(in: try YAMLLoader.parse(decoys, file: "decoys.yaml"))
        let loaded = ManifestLoader.load(
            files: try ManifestLoader.expand([
                LintTestSupport.path("fixtures/rules"), LintTestSupport.path("fixtures/lint/clean"),
            ]))
        objects += loaded.objects
        let withoutPods = objects.filter { $0.podSpec == nil }
        XCTAssertGreaterThan(withoutPods.count, 50)
        XCTAssertTrue(objects.contains { $0.podSpec != nil }, "some fixtures run pods")
        let linter = try Linter()
        let index = ObjectIndex(objects)
        var checked = 0
        for active in linter.active where active.check.needsPodSpec {
            let context = CheckContext(rule: active.rule, index: index, settings: linter.settings, today: linter.today)
            for object in withoutPods {
                XCTAssertTrue(active.check.run(object, context).isEmpty, "\(active.rule.id) found something in \(object.reference.display)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 30, "most container and pod-spec rules declare needsPodSpec")
    }

    /// Checks that decline a kind and API version (`applies(kind:apiVersion:)`) are skipped for
    /// those objects; each must then find nothing in every such object.
    func testChecksFindNothingInKindsTheyDecline() throws {
        let decoys = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: d, namespace: ns}
            spec: {replicas: 5, selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: i}]}}}
            ---
            apiVersion: example.com/v1
            kind: Deployment
            metadata: {name: x, namespace: ns}
            spec: {replicas: 3, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: i}]}}}
            ---
            apiVersion: extensions/v1beta1
            kind: ConfigMap
            metadata: {name: m, namespace: ns}
            ---
            apiVersion: policy/v1beta1
            kind: PodDisruptionBudget
            metadata: {name: p, namespace: ns}
            spec: {minAvailable: 1}
            """
        var objects = ManifestLoader.objects(in: try YAMLLoader.parse(decoys, file: "decoys.yaml"))
        objects +=
            ManifestLoader.load(
                files: try ManifestLoader.expand([
                    LintTestSupport.path("fixtures/rules"), LintTestSupport.path("fixtures/lint"),
                ])
            ).objects
        var config = PolicyConfig()
        config.kubernetesVersion = "1.26"
        let linter = try Linter(config: config)
        let index = ObjectIndex(objects)
        var declined = 0
        for active in linter.active {
            let context = CheckContext(rule: active.rule, index: index, settings: linter.settings, today: linter.today)
            for object in objects where !active.check.applies(kind: object.kind, apiVersion: object.reference.apiVersion) {
                XCTAssertTrue(active.check.run(object, context).isEmpty, "\(active.rule.id) found something in \(object.reference.display)")
                declined += 1
            }
        }
        XCTAssertGreaterThan(declined, 100)
        // And they still find what they are for.
        let flagged = try linter.lint(objects: objects).findings.map(\.ruleID)
        XCTAssertTrue(flagged.contains("missing-pod-disruption-budget"))
        XCTAssertTrue(flagged.contains("removed-api-version") || flagged.contains("deprecated-api-version"))
    }

    /// Checks that declare `needsWorkload` are skipped for objects that run no pods; each must then
    /// find nothing in every such object, with every namespace's objects indexed.
    func testChecksThatNeedAWorkloadFindNothingInOtherObjects() throws {
        let decoys = """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w, namespace: ns}
            spec: {selector: {matchLabels: {app: x}}, podSelector: {}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: s, namespace: ns}
            spec: {selector: {app: nothing}}
            """
        var objects = ManifestLoader.objects(in: try YAMLLoader.parse(decoys, file: "decoys.yaml"))
        let loaded = ManifestLoader.load(
            files: try ManifestLoader.expand([
                LintTestSupport.path("fixtures/rules"), LintTestSupport.path("fixtures/lint"),
            ]))
        objects += loaded.objects
        let others = objects.filter { !$0.isWorkload }
        XCTAssertGreaterThan(others.count, 50)
        let linter = try Linter()
        let index = ObjectIndex(objects)
        var checked: [String] = []
        for active in linter.active where active.check.needsWorkload {
            let context = CheckContext(rule: active.rule, index: index, settings: linter.settings, today: linter.today)
            for object in others {
                XCTAssertTrue(active.check.run(object, context).isEmpty, "\(active.rule.id) found something in \(object.reference.display)")
            }
            checked.append(active.rule.id)
        }
        XCTAssertEqual(
            checked.sorted(), ["missing-default-deny-network-policy", "pod-not-selected-by-network-policy", "workload-selector-mismatch"])
    }

    /// Simple patterns (literal alternatives, `literal.*`) compared as bytes answer as the expression does.
    func testSimplePatternsMatchAsTheExpressionDoes() {
        let patterns = [
            "system:.*|gce:.*|admin|edit|view|cluster-admin", "a|", "|a", ".*", "", "café", "x.*|y.*", "a.b", "a+", "(a|b)", "[ab]",
            "a\\.b",
        ]
        let texts = [
            "", "a", "admin", "admin\n", "system:", "system:kube-proxy", "system:x\ny", "gce:a\u{2028}", "Admin", "edit ", "view\r\n",
            "cafe\u{301}", "café", "x", "xyz", "y\u{85}", "a.b", "axb", "aa", "b", "cluster-admin", "cluster-admins",
        ]
        for pattern in patterns {
            let regex = CheckSupport.regex("^(?:" + pattern + ")$")
            let matcher = FullMatcher(pattern: pattern, regex: regex)
            for text in texts {
                XCTAssertEqual(
                    matcher.matches(text), CheckSupport.search(regex, text), "\(pattern.debugDescription) on \(text.debugDescription)")
            }
        }
        XCTAssertNotNil(
            FullMatcher.alternatives(of: "system:.*|gce:.*|admin|edit|view|cluster-admin"), "the built-in exemptNames take the fast path")
        XCTAssertNil(FullMatcher.alternatives(of: "a+"))
    }
}
