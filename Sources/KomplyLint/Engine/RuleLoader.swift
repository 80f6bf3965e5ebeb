import Foundation
import KomplyCore

/// Reads rule files: the embedded built-in pack and users' rule folders.
public enum RuleLoader {
    /// The built-in pack embedded at build time (`rules/` in the source tree).
    public static func builtin() throws(LintError) -> [Rule] {
        // Decoded on all cores (every `komply lint` starts here); the first broken file in pack order is reported.
        let files = BuiltinRules.files
        let decoded = Slots<Swift.Result<Rule, LintError>?>(count: files.count, initial: nil)
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            do throws(LintError) { decoded[i] = .success(try decode(text: files[i].text, file: files[i].path, builtin: true)) } catch {
                decoded[i] = .failure(error)
            }
        }
        var rules: [Rule] = []
        for outcome in decoded.values {
            switch outcome {
            case .success(let rule)?: rules.append(rule)
            case .failure(let error)?: throw error
            case nil: continue
            }
        }
        return rules.sorted { $0.id < $1.id }
    }

    /// Reads every `*.yaml`/`*.yml` rule file under `directory` (recursively, skipping `fixtures`).
    public static func load(directory: String) throws(LintError) -> [Rule] {
        try load(directory: directory, confinedTo: nil)
    }

    /// `load(directory:)` with the folder and each rule file resolved inside `root` when given, so a
    /// symbolic link in a repository (or a `--ref` snapshot) cannot make komply read rules from the host.
    package static func load(directory: String, confinedTo root: RepositoryRoot?) throws(LintError) -> [Rule] {
        var rules: [Rule] = []
        for path in try ruleFiles(in: directory, confinedTo: root) {
            let nodes: [Node]
            do { nodes = try YAMLLoader.load(path: path) } catch { throw .core(error) }
            guard let node = nodes.first else {
                throw .invalidRule(SourceLocation(file: path), problem: "empty file; expected a rule mapping")
            }
            rules.append(try decode(node: node, builtin: false))
        }
        return rules
    }

    /// The rule files under a folder, sorted.
    public static func ruleFiles(in directory: String) throws(LintError) -> [String] {
        try ruleFiles(in: directory, confinedTo: nil)
    }

    /// The rule files under a folder, sorted; with `root`, a folder or file leading outside it is refused.
    package static func ruleFiles(in directory: String, confinedTo root: RepositoryRoot?) throws(LintError) -> [String] {
        try confine(directory, in: root)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingPath(directory)
        }
        let resolved = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard let enumerator = FileManager.default.enumerator(atPath: resolved) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let parts = relative.split(separator: "/")
            if parts.contains("fixtures") || parts.contains(where: { $0.hasPrefix(".") }) { continue }
            guard relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else { continue }
            let file = (directory as NSString).appendingPathComponent(relative)
            try confine(file, in: root)
            files.append(file)
        }
        return files.sorted()
    }

    /// Refuses `path` (relative to the current folder) when it resolves outside `root`.
    private static func confine(_ path: String, in root: RepositoryRoot?) throws(LintError) {
        guard let root else { return }
        let absolute = Paths.join(Paths.canonical(FileManager.default.currentDirectoryPath), path)
        do { _ = try root.resolve(absolute, from: "/", at: nil) } catch {
            guard case .pathEscapesRoot(_, _, let through) = error else { throw .core(error) }
            throw .core(.pathEscapesRoot(nil, path: path, through: through))
        }
    }

    /// Decodes one rule from YAML text.
    public static func decode(text: String, file: String, builtin: Bool) throws(LintError) -> Rule {
        let nodes: [Node]
        do { nodes = try YAMLLoader.parse(text, file: file) } catch { throw .core(error) }
        guard let node = nodes.first else { throw .invalidRule(SourceLocation(file: file), problem: "empty file; expected a rule mapping") }
        return try decode(node: node, builtin: builtin)
    }

    /// Decodes one rule from its mapping node.
    public static func decode(node: Node, builtin: Bool) throws(LintError) -> Rule {
        guard node.mapping != nil else { throw .invalidRule(node.location, problem: "expected a mapping, found \(node.kindName)") }
        let known: Set<String> = [
            "id", "category", "severity", "description", "remediation", "message", "help", "scope", "check",
            "params", "enabled", "references", "equivalents",
        ]
        for pair in node.mapping ?? [] where !known.contains(pair.key.scalar ?? "") {
            throw .invalidRule(
                pair.key.location,
                problem: "unknown key \"\(pair.key.scalar ?? "?")\"; expected one of \(known.sorted().joined(separator: ", "))")
        }
        let id = try string(node, "id")
        guard isValidID(id) else {
            throw .invalidRule(node["id"]!.location, problem: "id \"\(id)\" must be kebab-case (^[a-z0-9]+(-[a-z0-9]+)*$)")
        }
        let severityText = try string(node, "severity")
        guard let severity = Severity(rawValue: severityText) else {
            throw .invalidRule(node["severity"]!.location, problem: "severity \"\(severityText)\"; expected error, warning or info")
        }
        let folder = ((node.file as NSString).deletingLastPathComponent as NSString).lastPathComponent
        let category = try optionalString(node, "category") ?? folder
        var scope = Rule.Scope()
        if let scopeNode = node["scope"] {
            guard scopeNode.mapping != nil else { throw .invalidRule(scopeNode.location, problem: "scope: expected a mapping") }
            scope.kinds = try optionalStrings(scopeNode, "kinds")
            scope.apiGroups = try optionalStrings(scopeNode, "apiGroups")
            scope.excludeKinds = try optionalStrings(scopeNode, "excludeKinds") ?? []
            if let types = try optionalStrings(scopeNode, "containers") {
                scope.containers = try types.map { (text: String) throws(LintError) -> ContainerType in
                    guard let type = ContainerType(rawValue: text) else {
                        throw .invalidRule(
                            scopeNode["containers"]!.location,
                            problem: "containers: \"\(text)\"; expected containers, initContainers or ephemeralContainers")
                    }
                    return type
                }
            }
        }
        var equivalents: [String: [String]] = [:]
        for pair in node["equivalents"]?.mapping ?? [] {
            guard let key = pair.key.scalar else { continue }
            equivalents[key] = pair.value.sequence?.compactMap(\.scalar) ?? pair.value.scalar.map { [$0] } ?? []
        }
        var enabled = true
        if let flag = node["enabled"] {
            guard case .bool(let b) = flag.resolved(schema: .yaml11) else {
                throw .invalidRule(flag.location, problem: "enabled: expected true or false")
            }
            enabled = b
        }
        return Rule(
            id: id, category: category, severity: severity, description: try string(node, "description"),
            remediation: try string(node, "remediation"), message: try optionalString(node, "message"),
            help: try optionalString(node, "help"), scope: scope, check: try string(node, "check"),
            params: node["params"].map { $0.valueTree(schema: .yaml11) } ?? .object([]), enabledByDefault: enabled,
            references: try optionalStrings(node, "references") ?? [], equivalents: equivalents,
            source: SourceLocation(file: node.file, range: node["id"]?.range ?? node.range), isBuiltin: builtin)
    }

    /// True when `id` is kebab-case.
    public static func isValidID(_ id: String) -> Bool { Suppression.isValidRuleID(id) }
}

private extension RuleLoader {
    static func string(_ node: Node, _ key: String) throws(LintError) -> String {
        guard let value = node[key] else { throw .invalidRule(node.location, problem: "missing \"\(key)\"") }
        guard let text = value.scalar, !value.isNull, !text.isEmpty else {
            throw .invalidRule(value.location, problem: "\(key): expected a non-empty string, found \(value.kindName)")
        }
        return text
    }

    static func optionalString(_ node: Node, _ key: String) throws(LintError) -> String? {
        guard node[key] != nil else { return nil }
        return try string(node, key)
    }

    static func optionalStrings(_ node: Node, _ key: String) throws(LintError) -> [String]? {
        guard let value = node[key] else { return nil }
        if let text = value.scalar, !value.isNull { return [text] }
        guard let items = value.sequence else { throw .invalidRule(value.location, problem: "\(key): expected a list of strings") }
        return try items.map { (item: Node) throws(LintError) -> String in
            guard let text = item.scalar else {
                throw .invalidRule(item.location, problem: "\(key): expected a string, found \(item.kindName)")
            }
            return text
        }
    }
}
