import Foundation
import KomplyCore

/// The rule engine: runs active rules over every object of a run and applies config and suppressions.
///
/// The generator lints its output in memory with
/// `try Linter(config: config).lint(sources: [ManifestSource(file:text:)])`.
public struct Linter: Sendable {
    /// A rule ready to run: effective severity and its instantiated check.
    public struct ActiveRule: Sendable {
        /// The rule.
        public let rule: Rule
        /// The severity after config overrides.
        public let severity: Severity
        let check: AnyCheck
    }

    /// A finding silenced by an annotation or an exemption, with the reason (reports count them).
    public struct Suppressed: Sendable, Hashable {
        /// The silenced finding.
        public var finding: Finding
        /// The recorded reason.
        public var reason: String
    }

    /// What one run found.
    public struct Result: Sendable {
        /// Findings in report order.
        public var findings: [Finding]
        /// Findings silenced with a reason.
        public var suppressed: [Suppressed]
        /// Files that could not be read or parsed (the rest were still linted).
        public var problems: [LintError]
        /// Files linted.
        public var files: [String]
        /// Each file's text, for excerpts and fixes.
        public var texts: [String: String]
        /// Number of objects linted.
        public var objectCount: Int
        /// The rules that ran.
        public var rules: [Rule]
    }

    /// Every rule known to this run (active or not), by id.
    public let allRules: [Rule]
    /// The rules that run.
    public let active: [ActiveRule]
    /// The config.
    public let config: PolicyConfig
    /// Settings checks consult.
    public let settings: LintSettings
    /// Today (`YYYY-MM-DD`) for suppression expiry.
    public let today: String

    /// Builds an engine from the built-in pack plus `extraRules` (which replace built-ins with the same id).
    public init(
        config: PolicyConfig = PolicyConfig(), extraRules: [Rule] = [], only: [String]? = nil,
        registry: CheckRegistry = .builtin, today: Date = Date()
    ) throws(LintError) {
        var rules = try RuleLoader.builtin()
        for directory in config.rulesDirectories { rules = try Self.merge(rules, try RuleLoader.load(directory: directory)) }
        rules = try Self.merge(rules, extraRules)
        try self.init(rules: rules, config: config, only: only, registry: registry, today: today)
    }

    /// Builds an engine from an explicit rule list.
    public init(
        rules: [Rule], config: PolicyConfig = PolicyConfig(), only: [String]? = nil, registry: CheckRegistry = .builtin,
        today: Date = Date()
    ) throws(LintError) {
        let ids = Set(rules.map(\.id))
        try config.validate(against: ids)
        for id in only ?? [] where !ids.contains(id) { throw .unknownRule(id, location: nil) }
        var active: [ActiveRule] = []
        for rule in rules.sorted(by: { $0.id < $1.id }) {
            let setting = config.rules[rule.id]
            let enabled = only.map { $0.contains(rule.id) } ?? (setting?.enabled ?? rule.enabledByDefault)
            guard enabled else { continue }
            let params = Self.mergeParams(rule.params, setting?.params)
            active.append(
                ActiveRule(
                    rule: rule, severity: setting?.severity ?? rule.severity,
                    check: try registry.instantiate(rule, params: params)))
        }
        self.allRules = rules.sorted { $0.id < $1.id }
        self.active = active
        self.config = config
        self.settings = LintSettings(
            kubernetesVersion: config.kubernetesVersion ?? LintSettings.defaultKubernetesVersion,
            nonSuppressible: config.nonSuppressible, knownRules: ids)
        self.today = Self.dayString(today)
    }

    /// Lints files and folders (`-` reads standard input).
    public func lint(paths: [String], stdin: (@Sendable () -> Data)? = nil) throws(LintError) -> Result {
        let files = try ManifestLoader.expand(paths)
        return lint(ManifestLoader.load(files: files, stdin: stdin))
    }

    /// Lints manifests held in memory.
    public func lint(sources: [ManifestSource]) -> Result {
        lint(ManifestLoader.load(sources: sources))
    }

    /// Lints already-parsed objects.
    public func lint(objects: [KubeObject]) -> Result {
        var loaded = ManifestLoader.Loaded()
        loaded.objects = objects
        loaded.files = Array(Set(objects.map(\.file))).sorted()
        return lint(loaded)
    }

    /// Lints what a loader read.
    public func lint(_ loaded: ManifestLoader.Loaded) -> Result {
        let index = ObjectIndex(loaded.objects)
        let objects = loaded.objects
        // One context per rule for the whole run, not one per object.
        let contexts = active.map { CheckContext(rule: $0.rule, index: index, settings: settings, today: today) }
        let perObject = Slots<([Finding], [Suppressed])>(count: objects.count, initial: ([], []))
        let chunk = max(1, objects.count / 16)
        let chunks = (objects.count + chunk - 1) / chunk
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            for i in (c * chunk)..<min(objects.count, (c + 1) * chunk) {
                perObject[i] = evaluate(objects[i], contexts: contexts)
            }
        }
        var findings = perObject.values.flatMap(\.0)
        findings.sort(by: Finding.reportOrder)
        return Result(
            findings: findings, suppressed: perObject.values.flatMap(\.1), problems: loaded.problems, files: loaded.files,
            texts: loaded.texts, objectCount: objects.count, rules: active.map(\.rule))
    }
}

extension Linter {
    /// Builds findings for one object, applying exemptions and annotations.
    func evaluate(_ object: KubeObject, contexts: [CheckContext]) -> ([Finding], [Suppressed]) {
        var findings: [Finding] = []
        var suppressed: [Suppressed] = []
        let suppressions = Suppression.suppressions(of: object)
        for (active, context) in zip(active, contexts) where active.rule.scope.includes(object) {
            for violation in active.check.run(object, context) {
                let subject = violation.container.map { "container \"\($0)\" in \(object.reference.display)" } ?? object.reference.display
                let finding = Finding(
                    ruleID: active.rule.id, severity: active.severity, message: subject + " " + violation.message,
                    remediation: active.rule.remediation, location: SourceLocation(file: violation.file, range: violation.range),
                    object: object.reference, container: violation.container, path: violation.path, fix: violation.fix)
                if let reason = suppressionReason(finding, suppressions) {
                    suppressed.append(Suppressed(finding: finding, reason: reason))
                } else {
                    findings.append(finding)
                }
            }
        }
        return (findings, suppressed)
    }

    func suppressionReason(_ finding: Finding, _ suppressions: [Suppression]) -> String? {
        guard !settings.nonSuppressible.contains(finding.ruleID), !Self.auditRules.contains(finding.ruleID) else { return nil }
        if let exemption = config.exemptions.first(where: { $0.covers(finding) }) { return exemption.reason }
        let match = suppressions.first {
            $0.ruleID == finding.ruleID && ($0.container == nil || $0.container == finding.container) && $0.isActive(today: today)
        }
        return match?.reason
    }

    /// Rules that audit suppressions themselves and so cannot be suppressed.
    static let auditRules: Set<String> = ["invalid-suppression", "expired-suppression"]

    static func merge(_ base: [Rule], _ extra: [Rule]) throws(LintError) -> [Rule] {
        var byID: [String: Rule] = [:]
        for rule in base { byID[rule.id] = rule }
        var seen: [String: Rule] = [:]
        for rule in extra {
            if let first = seen[rule.id] { throw .duplicateRule(rule.source, id: rule.id, first: first.source.file) }
            seen[rule.id] = rule
            byID[rule.id] = rule
        }
        return byID.values.sorted { $0.id < $1.id }
    }

    static func mergeParams(_ base: ValueTree, _ override: ValueTree?) -> ValueTree {
        guard let override, case .object(var members) = base, case .object(let extra) = override else { return override ?? base }
        for member in extra {
            if let i = members.firstIndex(where: { $0.key == member.key }) {
                members[i].value = member.value
            } else {
                members.append(member)
            }
        }
        return .object(members)
    }

    static func dayString(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
