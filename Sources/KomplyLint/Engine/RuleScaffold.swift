import Foundation
import KomplyCore

/// A new built-in rule's files (`komply rules new`): `rules/<category>/<id>.yaml` and its fixtures
/// `fixtures/rules/<id>/compliant.default.yaml` and `violating.default.yaml`, in a komply checkout.
///
/// The rule starts from the first rule of the pack that uses the same check (in the same category
/// when one does) — its message, scope, params and fixtures, with the `# expect:` markers renamed —
/// so it loads and its fixtures pass at once, and the author edits from a working example. A check no rule uses yet gets a bare rule and
/// a Deployment fixture to edit. Description and remediation are TODO sentences unless given, which
/// the pack's well-formedness test rejects until they are written.
public struct RuleScaffold: Sendable {
    /// The new rule's id (kebab-case, naming the flagged condition).
    public var id: String
    /// An existing folder of `rules/`.
    public var category: String
    /// A registered check template.
    public var check: String
    /// The default severity; nil takes the example rule's (warning without one).
    public var severity: Severity?
    /// What the rule flags, a sentence; nil writes a TODO.
    public var description: String?
    /// What to do about a finding, a sentence; nil writes a TODO.
    public var remediation: String?

    /// A file to write, relative to the repository root.
    public struct File: Sendable, Hashable {
        /// The path below the root.
        public var path: String
        /// The content.
        public var text: String
    }

    /// Creates a scaffold request.
    public init(
        id: String, category: String, check: String, severity: Severity? = nil, description: String? = nil, remediation: String? = nil
    ) {
        self.id = id
        self.category = category
        self.check = check
        self.severity = severity
        self.description = description
        self.remediation = remediation
    }

    /// The files for the checkout at `root`, after refusing a bad or taken id, an unknown category or
    /// check, and a description or remediation that is not a sentence. Writes nothing.
    public func files(in root: String, registry: CheckRegistry = .builtin) throws(LintError) -> [File] {
        let rulesFolder = (root as NSString).appendingPathComponent("rules")
        let categories = Self.categories(in: rulesFolder)
        guard !categories.isEmpty else {
            throw .invalidScaffold("\(rulesFolder): no rule categories; run it in komply's repository or pass --root")
        }
        try validate(categories: categories, registry: registry)
        let rules = try RuleLoader.load(directory: rulesFolder).sorted { $0.id < $1.id }
        if let existing = rules.first(where: { $0.id == id }) {
            throw .invalidScaffold("rule \"\(id)\" already exists (\(existing.source.file)); choose another id")
        }
        let rulePath = "rules/\(category)/\(id).yaml"
        let fixtureFolder = "fixtures/rules/\(id)"
        for path in [rulePath, fixtureFolder] where FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(path))
        {
            throw .invalidScaffold("\(path) already exists; choose another id")
        }
        // The example: a rule of the same check, from the same category when there is one.
        let example = rules.first { $0.check == check && $0.category == category } ?? rules.first { $0.check == check }
        var exampleText: String?
        if let example { exampleText = try Self.read(root, "rules/\(example.category)/\(example.id).yaml") }
        let ruleText = self.ruleText(example: example, exampleText: exampleText)
        // The scaffold must load as it is written (and run, when its params come from an example).
        let rule = try RuleLoader.decode(text: ruleText, file: rulePath, builtin: false)
        if example != nil { _ = try registry.instantiate(rule, params: rule.params) }
        var files = [File(path: rulePath, text: ruleText)]
        files += try fixtures(example: example, root: root).map { File(path: "\(fixtureFolder)/\($0.name)", text: $0.text) }
        return files
    }

    /// Writes the files into the checkout at `root` (creating folders); returns their paths.
    @discardableResult
    public func write(into root: String, registry: CheckRegistry = .builtin) throws(LintError) -> [String] {
        let files = try files(in: root, registry: registry)
        for file in files {
            let path = (root as NSString).appendingPathComponent(file.path)
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try file.text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw .unwritable(file: path, reason: error.localizedDescription)
            }
        }
        return files.map(\.path)
    }

    /// The description written when none is given.
    public var todoDescription: String { "TODO: say which objects \(id) flags and why that is a problem." }
    /// The remediation written when none is given.
    public var todoRemediation: String { "TODO: say what to change so that \(id) no longer flags the object." }
}

private extension RuleScaffold {
    /// Top-level keys of the example rule that the new rule keeps (the rest is specific to it).
    static let copiedKeys: Set<String> = ["message", "scope", "check", "params"]

    func validate(categories: [String], registry: CheckRegistry) throws(LintError) {
        guard RuleLoader.isValidID(id) else {
            throw .invalidScaffold("id \"\(id)\" must be kebab-case (^[a-z0-9]+(-[a-z0-9]+)*$)")
        }
        guard !id.hasPrefix("no-"), !id.hasPrefix("disallow-") else {
            throw .invalidScaffold("id \"\(id)\" must name the flagged condition, without a no-/disallow- prefix")
        }
        guard categories.contains(category) else {
            throw .invalidScaffold(
                "unknown category \"\(category)\"; expected one of \(categories.joined(separator: ", ")) (create rules/\(category)/ for a new one)"
            )
        }
        guard registry.contains(check) else {
            throw .invalidScaffold("unknown check \"\(check)\"; expected one of \(registry.names.joined(separator: ", "))")
        }
        if let description, !description.hasSuffix(".") {
            throw .invalidScaffold("--description must be a sentence ending with a period")
        }
        if let remediation, remediation.first?.isUppercase != true || !remediation.hasSuffix(".") {
            throw .invalidScaffold("--remediation must be a sentence: a capital letter first, a period last")
        }
    }

    /// The folders of `rules/`, sorted.
    static func categories(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            let path = (folder as NSString).appendingPathComponent(name)
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }

    static func read(_ root: String, _ path: String) throws(LintError) -> String {
        let full = (root as NSString).appendingPathComponent(path)
        do { return try String(contentsOfFile: full, encoding: .utf8) } catch {
            throw .core(.unreadable(file: full, reason: error.localizedDescription))
        }
    }

    func ruleText(example: Rule?, exampleText: String?) -> String {
        var head: [(String, ValueTree)] = [("id", .string(id)), ("category", .string(category))]
        head.append(("severity", .string((severity ?? example?.severity ?? .warning).rawValue)))
        head.append(("description", .string(description ?? todoDescription)))
        head.append(("remediation", .string(remediation ?? todoRemediation)))
        var text = YAMLEmitter.emit(.members(head))
        guard let example, let exampleText else {
            return text + "check: \(check)\n# params: see docs/checks.md#\(check.lowercased()) for what \(check) takes.\n"
        }
        text += "# Message, scope and params start as \(example.id)'s; the check's parameters are in docs/checks.md.\n"
        return text + Self.blocks(of: exampleText).filter { Self.copiedKeys.contains($0.key) }.map(\.text).joined()
    }

    /// A rule file's top-level entries, each with the lines that belong to it.
    static func blocks(of text: String) -> [(key: String, text: String)] {
        var blocks: [(key: String, text: String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            let isKey = line.first.map { $0.isLetter } == true && line.contains(":")
            if isKey {
                blocks.append((String(line.prefix { $0 != ":" }), line + "\n"))
            } else if !blocks.isEmpty {
                blocks[blocks.count - 1].text += line + "\n"
            }
        }
        return blocks
    }

    func fixtures(example: Rule?, root: String) throws(LintError) -> [(name: String, text: String)] {
        if let example {
            let folder = "fixtures/rules/\(example.id)"
            let (compliant, violating) = RuleTester.fixtures(in: (root as NSString).appendingPathComponent(folder))
            if let good = compliant.first, let bad = violating.first {
                let goodText = try Self.read(root, "\(folder)/\((good as NSString).lastPathComponent)")
                let badText = try Self.read(root, "\(folder)/\((bad as NSString).lastPathComponent)")
                return [
                    ("compliant.default.yaml", Self.renameMarkers(in: goodText, from: example.id, to: id)),
                    ("violating.default.yaml", Self.renameMarkers(in: badText, from: example.id, to: id)),
                ]
            }
        }
        return [
            ("compliant.default.yaml", Self.deployment(comment: "TODO: edit into a manifest \(id) accepts.", marker: "")),
            (
                "violating.default.yaml",
                Self.deployment(
                    comment: "TODO: edit into a manifest \(id) flags; the marker goes on the line the finding points at.",
                    marker: "  # expect: \(id)")
            ),
        ]
    }

    static func deployment(comment: String, marker: String) -> String {
        """
        # \(comment)
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web\(marker)
                  image: registry.example.com/web:1.0.0

        """
    }
}

extension RuleScaffold {
    /// The text with `# expect:` markers naming `old` renamed to `new` (an `@column` is kept).
    static func renameMarkers(in text: String, from old: String, to new: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let marker = line.range(of: "# expect: ") else { return String(line) }
            let items = line[marker.upperBound...].split(separator: ",").map { item -> String in
                let name = item.trimmingCharacters(in: .whitespaces)
                guard name == old || name.hasPrefix(old + "@") else { return name }
                return new + name.dropFirst(old.count)
            }
            return line[..<marker.upperBound] + items.joined(separator: ", ")
        }.joined(separator: "\n")
    }
}
