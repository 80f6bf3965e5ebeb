import Foundation
import KomplyCore

/// The `policy` section of `komply.yaml` (`apiVersion: komply.dev/v1`, `kind: Config`).
public struct PolicyConfig: Sendable {
    /// Per-rule settings.
    public struct RuleSetting: Sendable, Hashable {
        /// Turns a rule on or off; nil keeps the rule's default.
        public var enabled: Bool?
        /// Replaces the default severity.
        public var severity: Severity?
        /// Merged over the rule's own params.
        public var params: ValueTree?

        /// Creates a setting.
        public init(enabled: Bool? = nil, severity: Severity? = nil, params: ValueTree? = nil) {
            self.enabled = enabled
            self.severity = severity
            self.params = params
        }
    }

    /// Findings that do not apply to some objects, with the reason recorded.
    public struct Exemption: Sendable, Hashable {
        /// Rule ids (`*` for every suppressible rule).
        public var rules: [String]
        /// Namespace globs; empty matches every namespace.
        public var namespaces: [String]
        /// Kinds; empty matches every kind.
        public var kinds: [String]
        /// Object name globs; empty matches every name.
        public var names: [String]
        /// Container name globs; empty matches every finding, object-level included.
        public var containers: [String]
        /// Why the exemption exists.
        public var reason: String

        /// True when the exemption covers `finding`.
        public func covers(_ finding: Finding) -> Bool {
            guard rules.contains("*") || rules.contains(finding.ruleID) else { return false }
            if !namespaces.isEmpty, !namespaces.contains(where: { Glob.matches($0, finding.object.namespace ?? "default") }) {
                return false
            }
            if !kinds.isEmpty, !kinds.contains(finding.object.kind) { return false }
            if !names.isEmpty, !names.contains(where: { Glob.matches($0, finding.object.name) }) { return false }
            if !containers.isEmpty {
                guard let container = finding.container, containers.contains(where: { Glob.matches($0, container) }) else { return false }
            }
            return true
        }
    }

    /// Per-rule settings by id.
    public var rules: [String: RuleSetting] = [:]
    /// Exemptions.
    public var exemptions: [Exemption] = []
    /// Rules that neither annotations nor exemptions may silence.
    public var nonSuppressible: Set<String> = []
    /// Extra rule folders (relative paths resolved against the config file's folder).
    public var rulesDirectories: [String] = []
    /// Target Kubernetes version for deprecated-API rules.
    public var kubernetesVersion: String?
    /// Default `--fail-on`.
    public var failOn: Severity?
    /// The file the config came from.
    public var file: String?
    /// Where each rule id is written in `rules`, `nonSuppressible` and exemptions (first mention), so an
    /// unknown id is reported at its line and column.
    public var ruleLocations: [String: SourceLocation] = [:]

    /// An empty config: every rule at its defaults.
    public init() {}

    /// Reads the policy section of the `komply.yaml` at `path`.
    public static func load(path: String) throws(LintError) -> PolicyConfig {
        let file: ConfigFile
        do { file = try ConfigFile.load(path: path) } catch { throw .core(error) }
        return try read(file)
    }

    /// Reads the policy section of a config file read by `ConfigFile`.
    public static func read(_ file: ConfigFile) throws(LintError) -> PolicyConfig {
        guard let root = file.root, root.mapping != nil else {
            throw .invalidConfig(
                SourceLocation(file: file.path), problem: "expected a mapping with apiVersion: komply.dev/v1 and kind: Config")
        }
        return try parse(root)
    }

    /// Reads the policy section from a config document.
    public static func parse(_ root: Node) throws(LintError) -> PolicyConfig {
        guard root["apiVersion"]?.scalar == "komply.dev/v1" else {
            throw .invalidConfig((root["apiVersion"] ?? root).location, problem: "expected apiVersion: komply.dev/v1")
        }
        guard root["kind"]?.scalar == "Config" else {
            throw .invalidConfig((root["kind"] ?? root).location, problem: "expected kind: Config")
        }
        var config = PolicyConfig()
        config.file = root.file
        guard let policy = root["policy"], !policy.isNull else { return config }
        guard let pairs = policy.mapping else {
            throw .invalidConfig(policy.location, problem: "policy: expected a mapping, found \(policy.kindName)")
        }
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            let value = pair.value
            switch key {
            case "rules":
                guard let entries = value.mapping else {
                    throw .invalidConfig(value.location, problem: "policy.rules: expected a mapping of rule id to settings")
                }
                for entry in entries {
                    guard let id = entry.key.scalar else { continue }
                    config.rules[id] = try ruleSetting(entry.value, id: id)
                    config.noteRuleLocations(entry.key)
                }
            case "exemptions":
                guard let items = value.sequence else {
                    throw .invalidConfig(value.location, problem: "policy.exemptions: expected a list")
                }
                config.exemptions = try items.map(exemption)
                for item in items { if let rules = item["rules"] { config.noteRuleLocations(rules) } }
            case "nonSuppressible":
                config.nonSuppressible = Set(try strings(value, "policy.nonSuppressible"))
                config.noteRuleLocations(value)
            case "rulesDirectories":
                let base = (root.file as NSString).deletingLastPathComponent
                config.rulesDirectories = try strings(value, "policy.rulesDirectories").map {
                    $0.hasPrefix("/") || base.isEmpty ? $0 : (base as NSString).appendingPathComponent($0)
                }
            case "kubernetesVersion":
                guard let text = value.scalar, text.range(of: #"^v?1\.\d+$"#, options: .regularExpression) != nil else {
                    throw .invalidConfig(value.location, problem: "policy.kubernetesVersion: expected a version like \"1.31\" (quote it)")
                }
                config.kubernetesVersion = text.hasPrefix("v") ? String(text.dropFirst()) : text
            case "failOn":
                guard let severity = value.scalar.flatMap(Severity.init(rawValue:)) else {
                    throw .invalidConfig(value.location, problem: "policy.failOn: expected error, warning or info")
                }
                config.failOn = severity
            default:
                throw .invalidConfig(
                    pair.key.location,
                    problem:
                        "policy: unknown key \"\(key)\"; expected rules, exemptions, nonSuppressible, rulesDirectories, kubernetesVersion or failOn"
                )
            }
        }
        return config
    }

    /// Checks that every rule id the config names exists.
    public func validate(against ruleIDs: Set<String>) throws(LintError) {
        var unknown = Set(rules.keys).union(nonSuppressible).subtracting(ruleIDs)
        for exemption in exemptions { unknown.formUnion(exemption.rules.filter { $0 != "*" && !ruleIDs.contains($0) }) }
        // The first unknown id in the file, so the message points where the reader looks first.
        let first = unknown.min { a, b in
            switch (ruleLocations[a]?.range?.start, ruleLocations[b]?.range?.start) {
            case (let p?, let q?) where p != q: return p < q
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a < b
            }
        }
        if let first {
            throw .unknownRule(
                first, location: ruleLocations[first] ?? file.map { SourceLocation(file: $0) },
                suggestion: Suggestion.closest(to: first, among: ruleIDs))
        }
    }
}

private extension PolicyConfig {
    /// Records where the rule ids of `node` (a mapping key, a string or a list of strings) are written.
    mutating func noteRuleLocations(_ node: Node) {
        let items = node.sequence ?? [node]
        for item in items {
            guard let id = item.scalar, ruleLocations[id] == nil else { continue }
            ruleLocations[id] = item.location
        }
    }

    static func ruleSetting(_ node: Node, id: String) throws(LintError) -> RuleSetting {
        if let text = node.scalar {
            if case .bool(let on) = node.resolved(schema: .yaml11) { return RuleSetting(enabled: on) }
            if let severity = Severity(rawValue: text) { return RuleSetting(enabled: true, severity: severity) }
            throw .invalidConfig(node.location, problem: "policy.rules.\(id): expected off, on, error, warning, info or a mapping")
        }
        guard let pairs = node.mapping else { throw .invalidConfig(node.location, problem: "policy.rules.\(id): expected a mapping") }
        var setting = RuleSetting()
        for pair in pairs {
            switch pair.key.scalar ?? "" {
            case "enabled":
                guard case .bool(let b) = pair.value.resolved(schema: .yaml11) else {
                    throw .invalidConfig(pair.value.location, problem: "policy.rules.\(id).enabled: expected true or false")
                }
                setting.enabled = b
            case "severity":
                guard let severity = pair.value.scalar.flatMap(Severity.init(rawValue:)) else {
                    throw .invalidConfig(pair.value.location, problem: "policy.rules.\(id).severity: expected error, warning or info")
                }
                setting.severity = severity
            case "params":
                guard pair.value.mapping != nil else {
                    throw .invalidConfig(pair.value.location, problem: "policy.rules.\(id).params: expected a mapping")
                }
                setting.params = pair.value.valueTree(schema: .yaml11)
            default:
                throw .invalidConfig(
                    pair.key.location,
                    problem: "policy.rules.\(id): unknown key \"\(pair.key.scalar ?? "?")\"; expected enabled, severity or params")
            }
        }
        return setting
    }

    static func exemption(_ node: Node) throws(LintError) -> Exemption {
        guard node.mapping != nil else {
            throw .invalidConfig(node.location, problem: "policy.exemptions: expected a mapping per exemption")
        }
        for pair in node.mapping ?? []
        where !["rules", "namespaces", "kinds", "names", "containers", "reason"].contains(pair.key.scalar ?? "") {
            throw .invalidConfig(
                pair.key.location,
                problem:
                    "exemption: unknown key \"\(pair.key.scalar ?? "?")\"; expected rules, namespaces, kinds, names, containers, reason")
        }
        guard let rulesNode = node["rules"] else { throw .invalidConfig(node.location, problem: "exemption: missing \"rules\"") }
        guard let reason = node["reason"]?.scalar, !reason.isEmpty else {
            throw .invalidConfig(node.location, problem: "exemption: missing \"reason\"; every exemption records why")
        }
        func list(_ key: String) throws(LintError) -> [String] {
            guard let value = node[key] else { return [] }
            return try strings(value, key)
        }
        return Exemption(
            rules: try strings(rulesNode, "rules"), namespaces: try list("namespaces"), kinds: try list("kinds"),
            names: try list("names"), containers: try list("containers"), reason: reason)
    }

    static func strings(_ node: Node, _ what: String) throws(LintError) -> [String] {
        if let text = node.scalar, !node.isNull { return [text] }
        guard let items = node.sequence else { throw .invalidConfig(node.location, problem: "\(what): expected a list of strings") }
        return try items.map { (item: Node) throws(LintError) -> String in
            guard let text = item.scalar else { throw .invalidConfig(item.location, problem: "\(what): expected a string") }
            return text
        }
    }
}
