import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// Every awesome-compose app, generated with two environments: each pod of the base is admitted by the Pod Security
/// level each overlay's namespace enforces, and that level is the least that admits them — judged by
/// `PodSecurityEvaluator`, independently of the generator.
final class PodSecurityCorpusTests: XCTestCase {
    func testEveryCorpusPodIsAdmittedByItsNamespace() throws {
        let corpus = TrafficCorpusTests.corpus
        let apps = ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(corpus)/\(name)", isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
        guard !apps.isEmpty else { throw XCTSkip("no corpus at \(corpus)") }
        var settings = GeneratorSettings()
        settings.environments = [EnvironmentConfig(name: "dev"), EnvironmentConfig(name: "prod", replicas: 3, resourceScale: 2)]
        var admitted = 0
        var pods = 0
        var restrictedPods = 0
        var restrictedApps = 0
        var levels: [PodSecurityEvaluator.Level: Int] = [:]
        for app in apps {
            let result = try Generator(settings: settings).generate(try SourceLoader.load(SourceRequest(paths: ["\(corpus)/\(app)"])))
            let basePods = try Self.basePods(result)
            let enforced = try Self.enforcedLevels(result)
            XCTAssertEqual(enforced.count, 2, "\(app): one namespace per environment")
            try Self.checkOverlaysKeepSecurity(result, app: app)
            var appAdmitted = true
            for (namespace, level) in enforced.sorted(by: { $0.key < $1.key }) {
                levels[level, default: 0] += 1
                for pod in basePods {
                    let failures = PodSecurityEvaluator.failures(pod, at: level)
                    XCTAssertEqual(failures, [], "\(app): \(pod.kind) \(pod.name) is refused by namespace \(namespace) (\(level))")
                    if !failures.isEmpty { appAdmitted = false }
                }
                // The least level: a stricter one would refuse one of the pods.
                let least = basePods.map(PodSecurityEvaluator.leastLevel).max() ?? .restricted
                XCTAssertEqual(level, least, "\(app): namespace \(namespace) enforces \(level); its pods need \(least)")
            }
            pods += basePods.count
            let strict = basePods.filter { PodSecurityEvaluator.failures($0, at: .restricted).isEmpty }.count
            restrictedPods += strict
            if strict == basePods.count { restrictedApps += 1 }
            if appAdmitted { admitted += 1 }
        }
        print(
            "pod security: \(admitted) of \(apps.count) apps admitted in every namespace; \(pods) pods, \(restrictedPods) admitted by restricted "
                + "(\(restrictedApps) apps entirely); namespaces by level: "
                + PodSecurityEvaluator.Level.allCases.map { "\($0) \(levels[$0] ?? 0)" }.joined(separator: ", "))
    }
}

extension PodSecurityCorpusTests {
    /// The pods of every workload of the generated bases.
    static func basePods(_ result: GenerationResult) throws -> [PodSecurityEvaluator.Pod] {
        var objects: [ValueTree] = []
        for file in result.files where file.path.contains("/base/") && file.path.hasSuffix(".yaml") {
            objects += try YAMLLoader.parse(file.contents, file: file.path).map { $0.valueTree() }
        }
        return PodSecurityEvaluator.pods(in: objects)
    }

    /// Namespace → the level its `pod-security.kubernetes.io/enforce` label names, from every overlay; the audit and
    /// warn labels must agree with it.
    static func enforcedLevels(_ result: GenerationResult) throws -> [String: PodSecurityEvaluator.Level] {
        var levels: [String: PodSecurityEvaluator.Level] = [:]
        for file in result.files where file.path.hasSuffix("/namespace.yaml") {
            for object in try YAMLLoader.parse(file.contents, file: file.path).map({ $0.valueTree() }) {
                let labels = object["metadata"]?["labels"]
                let name = try XCTUnwrap(object["metadata"]?["name"]?.stringValue)
                let enforce = try XCTUnwrap(
                    labels?["pod-security.kubernetes.io/enforce"]?.stringValue.flatMap(PodSecurityEvaluator.Level.init))
                for mode in ["audit", "warn"] {
                    XCTAssertEqual(labels?["pod-security.kubernetes.io/\(mode)"]?.stringValue, enforce.rawValue, "\(name): \(mode)")
                }
                levels[name] = enforce
            }
        }
        return levels
    }

    /// The overlays patch only replicas, images and resources: the base's pod security is what each namespace runs.
    static func checkOverlaysKeepSecurity(_ result: GenerationResult, app: String) throws {
        for file in result.files where file.path.contains("/overlays/") && file.path.hasSuffix("/kustomization.yaml") {
            let kustomization = try XCTUnwrap(try YAMLLoader.parse(file.contents, file: file.path).first?.valueTree())
            guard case .array(let patches)? = kustomization["patches"] else { continue }
            for patch in patches {
                let text = patch["patch"]?.stringValue ?? ""
                XCTAssertFalse(
                    text.contains("securityContext") || text.contains("volumes") || text.contains("host"),
                    "\(app): \(file.path) patches pod security fields: \(text)")
            }
        }
    }
}
