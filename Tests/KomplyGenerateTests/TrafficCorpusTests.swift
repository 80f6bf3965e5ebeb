import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// Every awesome-compose app's generated base lets each service reach what compose let it reach and it
/// uses (depends_on, links, host names in environment values and in the files it mounts), with DNS, and nothing else — judged by
/// `NetworkEvaluator` against edges read from the compose files here, independently of the generator.
final class TrafficCorpusTests: XCTestCase {
    /// The corpus beside the clone (`../shared/corpus`), as `scripts/generate-corpus-check.py` finds it.
    static let corpus = URL(fileURLWithPath: GeneratorGoldenTests.repository).deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/awesome-compose").path

    /// Apps whose edges komply cannot serve yet, with the reason; an app listed here that passes fails the test.
    static let knownFailing: [String: String] = [
        "nginx-golang": "backend's port is nowhere in the repository (its build context and nginx.conf are absent): warned",
        "nginx-golang-postgres": "backend's port is nowhere in the repository (its build context and nginx.conf are absent): warned",
        "react-java-mysql": "backend's port is nowhere in the repository (its build context is absent): warned, no Service",
    ]

    func testEveryCorpusAppReachesExactlyItsEdges() throws {
        let apps = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(Self.corpus)/\(name)", isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
        guard !apps.isEmpty else { throw XCTSkip("no corpus at \(Self.corpus)") }
        var failing: [String: [String]] = [:]
        for app in apps {
            let problems = try check(app: app)
            if !problems.isEmpty { failing[app] = problems }
        }
        let report = failing.keys.sorted().map { "\($0):\n  " + failing[$0]!.joined(separator: "\n  ") }.joined(separator: "\n")
        print("traffic: \(apps.count - failing.count) of \(apps.count) apps reach exactly their edges")
        for app in failing.keys.sorted() {
            // A known-failing app may fail only by edges komply warned about.
            let problems = Self.knownFailing[app] == nil ? failing[app]! : failing[app]!.filter { !$0.hasSuffix("(warned)") }
            if !problems.isEmpty { XCTFail("\(app):\n  " + problems.joined(separator: "\n  ")) }
        }
        for app in Self.knownFailing.keys.sorted() where failing[app] == nil {
            XCTFail("\(app) is listed as known-failing but now passes; remove it from knownFailing")
        }
        if ProcessInfo.processInfo.environment["KOMPLY_TRAFFIC_REPORT"] == "1" { print(report) }
    }

    /// The evaluator itself: a default deny without allows blocks everything, named ports and expressions resolve.
    func testEvaluatorReadsSelectorsNamedPortsAndPolicyTypes() {
        func pod(_ name: String) -> ValueTree {
            .members([
                ("kind", .string("Deployment")), ("metadata", .members([("name", .string(name))])),
                (
                    "spec",
                    .members([
                        (
                            "template",
                            .members([
                                ("metadata", .members([("labels", .members([("app", .string(name))]))])),
                                (
                                    "spec",
                                    .members([
                                        (
                                            "containers",
                                            .array([
                                                .members([
                                                    (
                                                        "ports",
                                                        .array([.members([("name", .string("http")), ("containerPort", .int(8080))])])
                                                    )
                                                ])
                                            ])
                                        )
                                    ])
                                ),
                            ])
                        )
                    ])
                ),
            ])
        }
        let service = ValueTree.members([
            ("kind", .string("Service")), ("metadata", .members([("name", .string("api"))])),
            (
                "spec",
                .members([
                    ("selector", .members([("app", .string("api"))])),
                    ("ports", .array([.members([("port", .int(80)), ("targetPort", .string("http"))])])),
                ])
            ),
        ])
        let deny = ValueTree.members([
            ("kind", .string("NetworkPolicy")), ("metadata", .members([("name", .string("deny"))])),
            ("spec", .members([("podSelector", .object([])), ("policyTypes", .array([.string("Ingress"), .string("Egress")]))])),
        ])
        let open = NetworkEvaluator(objects: [pod("web"), pod("api"), service])
        XCTAssertEqual(open.viaService(from: "web", service: "api", port: 80, to: "api"), 8080, "no policy: everything flows")
        XCTAssertNil(open.viaService(from: "web", service: "api", port: 8080, to: "api"), "the Service has no port 8080")
        let closed = NetworkEvaluator(objects: [pod("web"), pod("api"), service, deny])
        XCTAssertNil(closed.viaService(from: "web", service: "api", port: 80, to: "api"))
        XCTAssertFalse(closed.resolvesDNS("web"))
        let egress = ValueTree.members([
            ("kind", .string("NetworkPolicy")), ("metadata", .members([("name", .string("web"))])),
            (
                "spec",
                .members([
                    ("podSelector", .members([("matchLabels", .members([("app", .string("web"))]))])),
                    ("policyTypes", .array([.string("Egress")])),
                    (
                        "egress",
                        .array([
                            .members([
                                (
                                    "to",
                                    .array([
                                        .members([
                                            (
                                                "podSelector",
                                                .members([
                                                    (
                                                        "matchExpressions",
                                                        .array([
                                                            .members([
                                                                ("key", .string("app")), ("operator", .string("In")),
                                                                ("values", .array([.string("api")])),
                                                            ])
                                                        ])
                                                    )
                                                ])
                                            )
                                        ])
                                    ])
                                ),
                                ("ports", .array([.members([("port", .string("http"))])])),
                            ])
                        ])
                    ),
                ])
            ),
        ])
        let oneSide = NetworkEvaluator(objects: [pod("web"), pod("api"), service, deny, egress])
        XCTAssertNil(oneSide.viaService(from: "web", service: "api", port: 80, to: "api"), "egress alone is not enough")
        var ingress = egress
        if case .object(var members) = ingress {
            members[1] = .init(key: "metadata", value: .members([("name", .string("api"))]))
            members[2] = .init(
                key: "spec",
                value: .members([
                    ("podSelector", .members([("matchLabels", .members([("app", .string("api"))]))])),
                    ("policyTypes", .array([.string("Ingress")])),
                    (
                        "ingress",
                        .array([
                            .members([
                                (
                                    "from",
                                    .array([.members([("podSelector", .members([("matchLabels", .members([("app", .string("web"))]))]))])])
                                ),
                                ("ports", .array([.members([("port", .int(8080))])])),
                            ])
                        ])
                    ),
                ]))
            ingress = .object(members)
        }
        let both = NetworkEvaluator(objects: [pod("web"), pod("api"), service, deny, egress, ingress])
        XCTAssertEqual(both.viaService(from: "web", service: "api", port: 80, to: "api"), 8080)
        XCTAssertEqual(both.openPorts(from: "api", to: "web"), [], "the reverse direction stays closed")
        XCTAssertFalse(both.resolvesDNS("web"))
    }
}

extension TrafficCorpusTests {
    /// An edge compose allowed and the app uses.
    struct Edge: Hashable, CustomStringConvertible {
        var from: String
        var to: String
        var port: Int?
        var evidence: String
        var description: String { "\(from) → \(to)\(port.map { ":\($0)" } ?? "") (\(evidence))" }
    }

    /// Problems with one app: edges that do not flow, flows that are no edge.
    func check(app: String) throws -> [String] {
        let folder = "\(Self.corpus)/\(app)"
        let projects = try SourceLoader.load(SourceRequest(paths: [folder], environment: [:]))
        let result = try Generator(settings: Self.settings, templates: .builtIn).generate(projects)
        let appName = try XCTUnwrap(result.files.first?.path.split(separator: "/").first.map(String.init))
        var objects: [ValueTree] = []
        for file in result.files where file.path.hasPrefix("\(appName)/base/") && file.path.hasSuffix(".yaml") {
            objects += try YAMLLoader.parse(file.contents, file: file.path).map { $0.valueTree() }
        }
        let services = try Self.composeServices(folder)
        let edges = Self.edges(services, folder: folder)
        var problems = try check(NetworkEvaluator(objects: objects), edges: edges, result: result, in: "base")
        // Each environment as Kubernetes receives it: the overlay rendered by kustomize, in its own namespace.
        for environment in Self.settings.environments {
            guard let rendered = try Self.kustomize(result.files, overlay: "\(appName)/overlays/\(environment.name)") else { continue }
            let namespace = environment.namespace(app: appName, defaultTemplate: Self.settings.namespaceTemplate)
            let objects = rendered.filter { $0["kind"]?.stringValue != "Namespace" }
            for object in objects where object["metadata"]?["namespace"]?.stringValue != namespace {
                problems.append(
                    "overlay \(environment.name): \(object["kind"]?.stringValue ?? "?") \(object["metadata"]?["name"]?.stringValue ?? "?") is not in namespace \(namespace)"
                )
            }
            problems += try check(
                NetworkEvaluator(objects: objects, namespace: namespace), edges: edges, result: result, in: "overlay \(environment.name)")
        }
        return problems
    }

    /// Two environments as a platform team writes them: staging scaled to one replica, production as the base.
    static let settings: GeneratorSettings = {
        var settings = GeneratorSettings()
        settings.environments = [
            EnvironmentConfig(name: "staging", replicas: 1, resourceScale: 0.5), EnvironmentConfig(name: "production"),
        ]
        return settings
    }()

    /// The objects `kubectl kustomize` renders for one overlay of the generated files, nil without kubectl.
    static func kustomize(_ files: [GeneratedFile], overlay: String) throws -> [ValueTree]? {
        guard let kubectl = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first(where: FileManager.default.isExecutableFile) else {
            return nil
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("komply-traffic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for file in files {
            let url = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: url)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["kustomize", root.appendingPathComponent(overlay).path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            XCTFail("kubectl kustomize \(overlay) failed: \(message)")
            return []
        }
        return try YAMLLoader.parse(String(decoding: data, as: UTF8.self), file: overlay).map { $0.valueTree() }
    }

    /// Problems of one rendering (`place`: base or an overlay): edges that do not flow, flows that are no edge.
    func check(_ evaluator: NetworkEvaluator, edges: Set<Edge>, result: GenerationResult, in place: String) throws -> [String] {
        let prefix = place == "base" ? "" : "\(place): "
        let name = { (service: String) in Naming.dnsLabel(service, maxLength: 50) }
        var problems: [String] = []
        for edge in edges.sorted(by: { $0.description < $1.description }) {
            if !evaluator.resolvesDNS(name(edge.from)) { problems.append("\(prefix)\(edge): \(edge.from) cannot resolve names") }
            if evaluator.viaService(from: name(edge.from), service: name(edge.to), port: edge.port, to: name(edge.to)) == nil {
                // An edge komply cannot serve must be a warning naming it and the key that fixes it, never silence.
                let warned = result.notices.contains {
                    $0.severity == .warning && $0.message.contains("service \(edge.from) connects to \(edge.to)")
                        && $0.message.contains("x-komply.port")
                }
                problems.append(
                    "\(prefix)\(edge): not reachable through Service \(name(edge.to))\(warned ? " (warned)" : ", and no warning names it")")
            }
        }
        let allowedPairs = Set(edges.map { "\(name($0.from))→\(name($0.to))" })
        let workloads = evaluator.pods.keys.filter { $0 != "kube-dns" }.sorted()
        for from in workloads {
            for to in workloads where from != to && !allowedPairs.contains("\(from)→\(to)") {
                let open = evaluator.openPorts(from: from, to: to)
                if !open.isEmpty { problems.append("\(prefix)\(from) → \(to) is no edge but ports \(open) are open") }
            }
        }
        return problems
    }

    /// The services of an app's compose file as raw YAML, `${VAR:-default}` resolved from `.env` or the default.
    static func composeServices(_ folder: String) throws -> [(name: String, node: Node)] {
        let file = try XCTUnwrap(
            ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"].map { "\(folder)/\($0)" }
                .first { FileManager.default.fileExists(atPath: $0) })
        let root = try XCTUnwrap(try YAMLLoader.load(path: file).first)
        return (root["services"]?.mapping ?? []).compactMap { pair in pair.key.scalar.map { ($0, pair.value) } }
    }

    /// Edges read from the compose file: depends_on, links, service names in environment values (URL hosts,
    /// `host:port`, or a bare name in a variable that is not a database, user or password name) and in the
    /// files it bind-mounts.
    static func edges(_ services: [(name: String, node: Node)], folder: String) -> Set<Edge> {
        let variables = dotEnv(folder)
        var aliases: [String: String] = [:]
        for (name, node) in services {
            aliases[name] = name
            for key in ["hostname", "container_name"] { if let alias = node[key]?.scalar { aliases[alias] = name } }
            for network in node["networks"]?.mapping ?? [] {
                for alias in network.value["aliases"]?.sequence?.compactMap(\.scalar) ?? [] where aliases[alias] == nil {
                    aliases[alias] = name
                }
            }
        }
        let networks = Dictionary(
            services.map { service -> (String, Set<String>) in
                let node = service.node["networks"]
                let names = node?.sequence?.compactMap(\.scalar) ?? node?.mapping?.compactMap(\.key.scalar) ?? []
                return (service.name, Set(names.isEmpty ? ["default"] : names))
            }, uniquingKeysWith: { a, _ in a })
        var edges = Set<Edge>()
        for (name, node) in services {
            var found: [Edge] = []
            let dependsOn = node["depends_on"]
            for target in dependsOn?.sequence?.compactMap(\.scalar) ?? dependsOn?.mapping?.compactMap(\.key.scalar) ?? [] {
                found.append(Edge(from: name, to: target, port: nil, evidence: "depends_on"))
            }
            var names = aliases
            for link in node["links"]?.sequence?.compactMap(\.scalar) ?? [] {
                let parts = link.split(separator: ":").map(String.init)
                found.append(Edge(from: name, to: parts[0], port: nil, evidence: "links"))
                if parts.count == 2 { names[parts[1]] = parts[0] }
            }
            for (key, value) in environment(node["environment"], variables: variables) {
                for (host, port) in hosts(key: key, value: value) {
                    if let target = names[host] { found.append(Edge(from: name, to: target, port: port, evidence: "environment \(key)")) }
                }
            }
            for file in mountedFiles(node, folder: folder) {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
                for (host, port) in fileHosts(text) {
                    if let target = names[host] { found.append(Edge(from: name, to: target, port: port, evidence: "mounted file")) }
                }
            }
            for edge in found where edge.to != name && !networks[name, default: []].isDisjoint(with: networks[edge.to, default: []]) {
                // One edge per pair and port: depends_on without a port is implied by a port-carrying one.
                if edge.port == nil, edges.contains(where: { $0.from == edge.from && $0.to == edge.to }) { continue }
                edges = edges.filter { !($0.from == edge.from && $0.to == edge.to && $0.port == nil) }
                if !edges.contains(where: { $0.from == edge.from && $0.to == edge.to && $0.port == edge.port }) { edges.insert(edge) }
            }
        }
        return edges
    }

    /// The repository files a service bind-mounts (short `./x:/y` or long `{type: bind, source}` syntax),
    /// a folder's files one level deep.
    static func mountedFiles(_ node: Node, folder: String) -> [String] {
        var sources: [String] = []
        for item in node["volumes"]?.sequence ?? [] {
            if let short = item.scalar {
                sources.append(String(short.split(separator: ":")[0]))
            } else if item["type"]?.scalar == "bind", let source = item["source"]?.scalar {
                sources.append(source)
            }
        }
        var files: [String] = []
        for source in sources where source.hasPrefix(".") {
            let path = folder + "/" + source
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                files.append(path)
            } else {
                files += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).map { path + "/" + $0 }
            }
        }
        return files
    }

    /// Hosts a config file names: URL hosts and `host:port` words (nginx `server web1:5000;`).
    static func fileHosts(_ text: String) -> [(String, Int?)] {
        var found: [(String, Int?)] = []
        let patterns = [#"[a-z]+://([A-Za-z0-9_.-]+)(?::([0-9]+))?"#, #"(?:^|\s)([A-Za-z][A-Za-z0-9_.-]*):([0-9]+)"#]
        for pattern in patterns {
            let regex = try! NSRegularExpression(pattern: pattern, options: .anchorsMatchLines)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let host = String(text[Range(match.range(at: 1), in: text)!])
                found.append((host, Range(match.range(at: 2), in: text).flatMap { Int(text[$0]) }))
            }
        }
        return found
    }

    static func environment(_ node: Node?, variables: [String: String]) -> [(String, String)] {
        var pairs: [(String, String)] = []
        if let mapping = node?.mapping {
            for pair in mapping { if let key = pair.key.scalar, let value = pair.value.scalar { pairs.append((key, value)) } }
        } else {
            for item in node?.sequence?.compactMap(\.scalar) ?? [] {
                let parts = item.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { pairs.append((String(parts[0]), String(parts[1]))) }
            }
        }
        return pairs.map { ($0.0, interpolate($0.1, variables)) }
    }

    static func interpolate(_ value: String, _ variables: [String: String]) -> String {
        var result = value
        while let start = result.range(of: "${"), let end = result[start.upperBound...].firstIndex(of: "}") {
            let body = String(result[start.upperBound..<end])
            let parts = body.components(separatedBy: ":-")
            let replacement = variables[parts[0]] ?? (parts.count > 1 ? parts[1] : "")
            result.replaceSubrange(start.lowerBound...end, with: replacement)
        }
        return result
    }

    static func dotEnv(_ folder: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: "\(folder)/.env", encoding: .utf8) else { return [:] }
        var variables: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { variables[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
        }
        return variables
    }

    /// Hosts (with their explicit port) a variable's value names.
    static func hosts(key: String, value: String) -> [(String, Int?)] {
        var found: [(String, Int?)] = []
        let url = try! NSRegularExpression(pattern: #"[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/\s]*@)?([A-Za-z0-9._-]+)(?::([0-9]+))?"#)
        for match in url.matches(in: value, range: NSRange(value.startIndex..., in: value)) {
            let host = String(value[Range(match.range(at: 1), in: value)!])
            let port = Range(match.range(at: 2), in: value).flatMap { Int(value[$0]) }
            found.append((host, port))
        }
        let notHost = try! NSRegularExpression(pattern: #"USER|PASS|DATABASE|(^|_)DB$|NAME$|SCHEMA"#)
        let keyRange = NSRange(key.startIndex..., in: key)
        if found.isEmpty, key.contains("HOST") || notHost.firstMatch(in: key, range: keyRange) == nil {
            let parts = value.split(separator: ":")
            if parts.count <= 2, let host = parts.first, host.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) {
                found.append((String(host), parts.count == 2 ? Int(parts[1]) : nil))
            }
        }
        return found
    }
}
