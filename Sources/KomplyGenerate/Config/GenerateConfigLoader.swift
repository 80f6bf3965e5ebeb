import Foundation
import KomplyCore

/// Reads `komply.yaml`: parses it, checks it against the published schema (docs/komply.schema.json)
/// and the rules a schema cannot state, and returns the typed generator configuration. Every problem
/// is reported at once, each as `file:line:column: what was expected`.
public enum GenerateConfigLoader {
    /// The config file's name.
    public static let fileName = ConfigFile.fileName

    /// Loads the config file at `path`; errors name the file as `path` is written.
    public static func load(path: String) throws(GenerateError) -> GenerateConfig {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw .configNotFound(path: path)
        }
        let file: ConfigFile
        do { file = try ConfigFile.load(path: path) } catch { throw .configUnreadable(error) }
        return try read(file)
    }

    /// Parses config text; `file` is the name errors use.
    public static func parse(_ text: String, file: String = fileName) throws(GenerateError) -> GenerateConfig {
        let config: ConfigFile
        do { config = try ConfigFile.parse(text, file: file) } catch { throw .configUnreadable(error) }
        return try read(config)
    }

    /// The generator's settings from a config file read by `ConfigFile`, the whole file checked
    /// against komply.yaml's schema.
    public static func read(_ file: ConfigFile) throws(GenerateError) -> GenerateConfig {
        try decode(file.documents, file: file.path)
    }

    /// The `komply.yaml` in `directory` or the nearest folder above it, looking no higher than the
    /// repository root (the first folder holding `.git`); nil when there is none.
    public static func discover(from directory: String) throws(GenerateError) -> GenerateConfig? {
        let found: ConfigFile?
        do { found = try ConfigFile.discover(from: directory) } catch { throw .configUnreadable(error) }
        guard let found else { return nil }
        return try read(found)
    }
}

/// One problem in `komply.yaml`: a schema violation, or a rule only code checks, in the same shape
/// (position, dotted path, message).
public typealias ConfigProblem = SchemaViolation

/// The embedded schema, compiled once.
enum KomplyConfigSchemaValidator {
    /// The built-in schema is data shipped with the binary; failing to compile it is a bug.
    static let schema: JSONSchema = {
        do { return try JSONSchema(json: KomplyConfigSchema.text, file: "komply.schema.json") } catch {
            fatalError("the embedded komply.yaml schema is invalid: \(error)")
        }
    }()
}

private extension GenerateConfigLoader {
    /// Sections other parts of komply read; the generator neither checks nor records them.
    static let foreignSections: Set<String> = ["policy", "history", "predict"]

    static func decode(_ documents: [Node], file: String) throws(GenerateError) -> GenerateConfig {
        guard let root = documents.first else {
            throw .invalidConfig([
                ConfigProblem(
                    location: SourceLocation(
                        file: file, range: SourceRange(start: .init(line: 1, column: 1), end: .init(line: 1, column: 1))),
                    path: "", message: "the file is empty; expected apiVersion: komply.dev/v1 and kind: Config")
            ])
        }
        var problems = KomplyConfigSchemaValidator.schema.validate(root).map {
            ConfigProblem(location: $0.location, path: $0.path, message: explained($0.message, path: $0.path))
        }
        if documents.count > 1 {
            problems.append(
                ConfigProblem(
                    location: documents[1].location, path: "",
                    message: "the file holds \(documents.count) YAML documents; expected one"))
        }
        var config = GenerateConfig()
        config.location = root.location
        var reader = Reader(problems: problems)
        reader.read(root, into: &config)
        guard reader.problems.isEmpty else {
            var seen = Set<ConfigProblem>()
            let ordered = reader.problems.filter { seen.insert($0).inserted }.enumerated().sorted { a, b in
                let (p, q) = (a.element.location.range?.start, b.element.location.range?.start)
                if let p, let q, p != q { return p < q }
                return a.offset < b.offset
            }
            throw .invalidConfig(ordered.map(\.element))
        }
        return config
    }

    /// What each `pattern` of the schema means, keyed by the last component of a value's path.
    static let patternMeanings: [String: String] = [
        "registry": "a registry host with an optional port and path and no scheme, like ghcr.io/acme",
        "imageRegistry": "a registry host with an optional port and path and no scheme, like ghcr.io/acme",
        "name": "a DNS label (lower-case letters, digits and \"-\", starting and ending with a letter or digit)",
        "namespace": "a namespace template of lower-case letters, digits, \"-\", {app} and {env}",
        "imageTag": "an image tag (letters, digits, \"_\", \".\" and \"-\", at most 128, not starting with \".\" or \"-\")",
        "storageSize": "a Kubernetes quantity like 500Mi or 5Gi",
        "cluster": "an http(s) URL of a Kubernetes API server, like https://kubernetes.default.svc",
        "destinationServer": "an http(s) URL of a Kubernetes API server, like https://kubernetes.default.svc",
        "cpuLimit": "none, or a ratio to the request of at least 1 such as 2, 2x or ratio:1.5",
        "kubernetesVersion": "a Kubernetes version like \"1.31\"",
    ]

    /// Replaces "must match the pattern \"…\"" with what the pattern stands for.
    static func explained(_ message: String, path: String) -> String {
        guard let match = message.range(of: " must match the pattern "), let found = message.range(of: ", found ", options: .backwards),
            let key = path.split(separator: ".").last, let meaning = patternMeanings[String(key)]
        else { return message }
        return message[..<match.lowerBound] + " must be " + meaning + message[found.lowerBound...]
    }

    /// Decodes the (schema-checked) document, adding the problems only code can see. A value the
    /// schema already rejected is skipped rather than reported twice.
    struct Reader {
        var problems: [ConfigProblem]
        private var rejected: Set<String>

        init(problems: [ConfigProblem]) {
            self.problems = problems
            rejected = Set(problems.map(\.path))
        }

        mutating func read(_ root: Node, into config: inout GenerateConfig) {
            record(root, path: "", into: &config.locations)
            if let sources = root["sources"]?.sequence, usable("sources") {
                config.sources = []
                for (index, item) in sources.enumerated() {
                    guard let pattern = item.scalar, usable("sources.\(index)") else { continue }
                    do {
                        try Glob.validate(pattern)
                        config.sources.append(pattern)
                    } catch {
                        let path = "sources.\(index)"
                        report(
                            item, path,
                            error == .absolutePattern(pattern: pattern)
                                ? "\(path) must be relative to the folder of komply.yaml, found an absolute path (\(quoted(pattern)))"
                                : "\(path) must stay inside the folder of komply.yaml, found \(quoted(pattern)) leaving it through \"..\"")
                    }
                }
            }
            if let node = root["output"], let output = string(node, "output") {
                checkOutput(output, node)
                config.output = output
            }
            config.registry = root["registry"].flatMap { string($0, "registry") }
            if let secrets = root["imagePullSecrets"]?.sequence, usable("imagePullSecrets") {
                config.imagePullSecrets = secrets.enumerated().compactMap { string($0.element, "imagePullSecrets.\($0.offset)") }
            }
            if let secrets = root["secrets"], usable("secrets") { config.secrets = readSecrets(secrets) }
            if let environments = root["environments"]?.sequence, usable("environments") {
                config.environments = readEnvironments(environments)
            }
            if let argocd = root["argocd"], usable("argocd"), argocd.mapping != nil { config.argocd = readArgoCD(argocd) }
            if let defaults = root["defaults"], usable("defaults"), defaults.mapping != nil {
                config.defaults = readDefaults(defaults)
            }
        }

        mutating func readSecrets(_ node: Node) -> SecretsConfig {
            let store = node["externalSecrets"]
            let providerNode = node["provider"]
            // Without `provider`, an `externalSecrets` store says which provider is meant.
            let provider = providerNode.flatMap { string($0, "secrets.provider") } ?? (store == nil ? "placeholder" : "external-secrets")
            switch provider {
            case "external-secrets":
                guard let store, usable("secrets.externalSecrets"),
                    let name = store["storeName"].flatMap({ string($0, "secrets.externalSecrets.storeName") })
                else {
                    if store == nil, let providerNode {
                        report(
                            providerNode, "secrets.provider",
                            "secrets.externalSecrets (storeName, storeKind, keyPrefix) is required with provider \"external-secrets\"")
                    }
                    return SecretsConfig()
                }
                let kind = store["storeKind"].flatMap { string($0, "secrets.externalSecrets.storeKind") } ?? "SecretStore"
                // Remote keys are <keyPrefix>/<app>/<secret>: "shop", "shop/" and "/shop/" all mean the
                // segment shop (a trailing slash once gave shop//app/secret).
                var prefix: String?
                if let node = store["keyPrefix"], let raw = string(node, "secrets.externalSecrets.keyPrefix") {
                    let segments = raw.split(separator: "/", omittingEmptySubsequences: true)
                    if segments.isEmpty {
                        report(
                            node, "secrets.externalSecrets.keyPrefix", "expected a key path such as shop or team/shop, found \(quoted(raw))"
                        )
                    } else {
                        prefix = segments.joined(separator: "/")
                    }
                }
                return SecretsConfig(provider: .externalSecrets(storeKind: kind, storeName: name, keyPrefix: prefix))
            case "sealed-secrets", "placeholder":
                if store != nil, let key = node.pair("externalSecrets")?.key {
                    report(
                        key, "secrets.externalSecrets",
                        "secrets.externalSecrets is only used with provider \"external-secrets\", found provider \(quoted(provider))")
                }
                return SecretsConfig(provider: provider == "placeholder" ? .placeholder : .sealedSecrets)
            default:
                return SecretsConfig()
            }
        }

        mutating func readEnvironments(_ items: [Node]) -> [EnvironmentConfig] {
            var environments: [EnvironmentConfig] = []
            var firstLine: [String: Int] = [:]
            for (index, item) in items.enumerated() {
                let path = "environments.\(index)"
                guard item.mapping != nil, let nameNode = item["name"], let name = string(nameNode, path + ".name") else { continue }
                if let line = firstLine[name] {
                    report(
                        nameNode, path + ".name",
                        "\(path).name \(quoted(name)) is already the name of the environment on line \(line); expected each environment once"
                    )
                    continue
                }
                firstLine[name] = nameNode.range.start.line
                var environment = EnvironmentConfig(name: name)
                if let node = item["namespace"], let template = string(node, path + ".namespace") {
                    checkNamespaceTemplate(template, node, path + ".namespace")
                    environment.namespace = template
                }
                environment.replicas = item["replicas"].flatMap { int($0, path + ".replicas") }
                environment.resourceScale = item["resourceScale"].flatMap { double($0, path + ".resourceScale") }
                environment.imageRegistry = item["imageRegistry"].flatMap { string($0, path + ".imageRegistry") }
                environment.imageTag = item["imageTag"].flatMap { string($0, path + ".imageTag") }
                environment.cluster = item["cluster"].flatMap { string($0, path + ".cluster") }
                environments.append(environment)
            }
            return environments
        }

        mutating func readArgoCD(_ node: Node) -> ArgoCDConfig {
            var argocd = ArgoCDConfig()
            if let urlNode = node["repoURL"], let url = string(urlNode, "argocd.repoURL") {
                if Self.hasCredentials(url) {
                    report(
                        urlNode, "argocd.repoURL",
                        "argocd.repoURL must not contain credentials; Argo CD reads them from a repository Secret")
                }
                argocd.repoURL = url
            }
            if let value = node["targetRevision"].flatMap({ string($0, "argocd.targetRevision") }) { argocd.targetRevision = value }
            if let value = node["project"].flatMap({ string($0, "argocd.project") }) { argocd.project = value }
            if let value = node["destinationServer"].flatMap({ string($0, "argocd.destinationServer") }) {
                argocd.destinationServer = value
            }
            if let value = node["applicationSet"].flatMap({ bool($0, "argocd.applicationSet") }) { argocd.applicationSet = value }
            if let automated = node["syncPolicy"]?["automated"], usable("argocd.syncPolicy.automated") {
                if let enabled = bool(automated, "argocd.syncPolicy.automated") {
                    // `automated: true` is Argo CD's `automated: {}`: no prune, no self-heal.
                    argocd.syncPolicy = ArgoCDConfig.SyncPolicy(automated: enabled, prune: false, selfHeal: false)
                } else if automated.mapping != nil {
                    argocd.syncPolicy = ArgoCDConfig.SyncPolicy(
                        automated: true,
                        prune: automated["prune"].flatMap { bool($0, "argocd.syncPolicy.automated.prune") } ?? false,
                        selfHeal: automated["selfHeal"].flatMap { bool($0, "argocd.syncPolicy.automated.selfHeal") } ?? false)
                }
            }
            return argocd
        }

        mutating func readDefaults(_ node: Node) -> DefaultsConfig {
            var defaults = DefaultsConfig()
            if let templateNode = node["namespace"], let template = string(templateNode, "defaults.namespace") {
                checkNamespaceTemplate(template, templateNode, "defaults.namespace")
                defaults.namespace = template
            }
            if let uid = node["uid"].flatMap({ int($0, "defaults.uid") }) { defaults.uid = uid }
            if let size = node["storageSize"].flatMap({ string($0, "defaults.storageSize") }) { defaults.storageSize = size }
            defaults.storageClass = node["storageClass"].flatMap { string($0, "defaults.storageClass") }
            if let dns = node["dns"], usable("defaults.dns"), dns.mapping != nil {
                if let namespace = dns["namespace"].flatMap({ string($0, "defaults.dns.namespace") }) { defaults.dns.namespace = namespace }
                if let labels = dns["podLabels"]?.mapping, usable("defaults.dns.podLabels") {
                    defaults.dns.podLabels = [:]
                    for pair in labels {
                        guard let key = pair.key.scalar, let value = string(pair.value, "defaults.dns.podLabels.\(key)") else { continue }
                        defaults.dns.podLabels[key] = value
                    }
                }
                if let ports = dns["ports"]?.sequence, usable("defaults.dns.ports") {
                    defaults.dns.ports = ports.enumerated().compactMap { int($0.element, "defaults.dns.ports.\($0.offset)") }
                }
                defaults.dns.nodeLocalIP = dns["nodeLocalIP"].flatMap { string($0, "defaults.dns.nodeLocalIP") }
            }
            return defaults
        }

        /// The output folder must be a folder inside the config's folder, not that folder itself.
        mutating func checkOutput(_ output: String, _ node: Node) {
            if output.hasPrefix("/") {
                report(node, "output", "output must be a folder relative to komply.yaml, found an absolute path (\(quoted(output)))")
                return
            }
            var depth = 0
            for part in output.split(separator: "/") where part != "." {
                depth += part == ".." ? -1 : 1
                if depth < 0 {
                    report(node, "output", "output must stay inside the folder of komply.yaml, found \(quoted(output))")
                    return
                }
            }
            if depth == 0 {
                report(
                    node, "output",
                    "output must name a folder below komply.yaml's folder, found \(quoted(output)); generated files would mix with the sources"
                )
            }
        }

        mutating func checkNamespaceTemplate(_ template: String, _ node: Node, _ path: String) {
            guard !rejected.contains(path) else { return }
            if template.hasPrefix("-") || template.hasSuffix("-") {
                report(node, path, "\(path) must start and end with a letter, digit or placeholder, found \(quoted(template))")
            }
        }

        /// True when the user info of an http(s) URL is present (a token can hide in the user name).
        static func hasCredentials(_ url: String) -> Bool {
            guard let scheme = url.range(of: "://"), url.lowercased().hasPrefix("http") else { return false }
            let rest = url[scheme.upperBound...]
            let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
            return authority.contains("@")
        }

        /// Whether the schema left the value at `path` (and its containers) alone.
        func usable(_ path: String) -> Bool {
            var prefix = ""
            for part in path.split(separator: ".") {
                prefix = prefix.isEmpty ? String(part) : prefix + "." + part
                if rejected.contains(prefix) { return false }
            }
            return true
        }

        mutating func report(_ node: Node, _ path: String, _ message: String) {
            problems.append(ConfigProblem(location: node.location, path: path, message: message))
        }

        func string(_ node: Node, _ path: String) -> String? {
            guard usable(path), case .string(let text)? = node.resolved() else { return nil }
            return text
        }

        func int(_ node: Node, _ path: String) -> Int? {
            guard usable(path) else { return nil }
            switch node.resolved() {
            case .int(let value): return value
            case .float(let value) where value.rounded() == value && abs(value) < 1e15: return Int(value)
            default: return nil
            }
        }

        func double(_ node: Node, _ path: String) -> Double? {
            guard usable(path) else { return nil }
            switch node.resolved() {
            case .int(let value): return Double(value)
            case .float(let value): return value
            default: return nil
            }
        }

        func bool(_ node: Node, _ path: String) -> Bool? {
            guard usable(path), case .bool(let value)? = node.resolved() else { return nil }
            return value
        }

        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }

        /// Records where every value of the generator's sections sits, by dotted path.
        func record(_ node: Node, path: String, into locations: inout [String: SourceLocation]) {
            if !path.isEmpty { locations[path] = node.location }
            switch node.content {
            case .mapping(let pairs):
                for pair in pairs {
                    guard let key = pair.key.scalar else { continue }
                    if path.isEmpty, foreignSections.contains(key) || key.hasPrefix("x-") { continue }
                    record(pair.value, path: path.isEmpty ? key : path + "." + key, into: &locations)
                }
            case .sequence(let items):
                for (index, item) in items.enumerated() { record(item, path: path + ".\(index)", into: &locations) }
            case .scalar:
                break
            }
        }
    }
}
