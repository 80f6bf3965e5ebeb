import Foundation
import KomplyCore

/// Everything `komply lint` asks of the engine, independent of argument parsing.
public struct LintRequest: Sendable {
    /// Files and folders to lint (`-` for standard input).
    public var paths: [String]
    /// An explicit config file; nil uses `config`, else finds `komply.yaml` from the current folder up.
    public var configPath: String?
    /// The `komply.yaml` already found and read (by the pipeline), used when `configPath` is nil.
    public var config: ConfigFile?
    /// Extra rule folders (user rules, replacing built-ins with the same id).
    public var rulesDirectories: [String]
    /// Run only these rules (disabled ones included); nil runs the configured set.
    public var only: [String]?
    /// Overrides the configured target Kubernetes version.
    public var kubernetesVersion: String?
    /// Today, for suppression expiry.
    public var today: Date

    /// Creates a request.
    public init(
        paths: [String], configPath: String? = nil, rulesDirectories: [String] = [], only: [String]? = nil,
        kubernetesVersion: String? = nil, today: Date = Date()
    ) {
        self.paths = paths
        self.configPath = configPath
        self.rulesDirectories = rulesDirectories
        self.only = only
        self.kubernetesVersion = kubernetesVersion
        self.today = today
    }

    /// The policy config: the explicit file, else the config already read, else the `komply.yaml`
    /// found from the current folder up to the repository root, else defaults.
    public func loadConfig() throws(LintError) -> PolicyConfig {
        if let configPath { return try PolicyConfig.load(path: configPath) }
        if let config { return try PolicyConfig.read(config) }
        let found: ConfigFile?
        do { found = try ConfigFile.discover(from: ".") } catch { throw .core(error) }
        return try found.map { file throws(LintError) in try PolicyConfig.read(file) } ?? PolicyConfig()
    }

    /// The engine for this request.
    public func makeLinter() throws(LintError) -> Linter {
        var config = try loadConfig()
        if let kubernetesVersion { config.kubernetesVersion = kubernetesVersion }
        var extra: [Rule] = []
        for directory in rulesDirectories { extra += try RuleLoader.load(directory: directory) }
        return try Linter(config: config, extraRules: extra, only: only, today: today)
    }

    /// Builds the engine and lints the paths, loading the rules on another thread while the first
    /// files are read and parsed (both take a while on a large run). A config or rule error is
    /// reported before any error in the paths, as when the engine is built first.
    public func lint(timed: Bool = false) throws(LintError) -> (linter: Linter, result: Linter.Result) {
        try Linter.lint(paths: paths, stdin: nil, engine: Linter.Engine(timed: timed) { () throws(LintError) in try makeLinter() })
    }
}

extension Linter.Result {
    /// Only what concerns `files`: their findings, suppressions, problems, texts and objects. Used when
    /// other files were linted as context for cross-object rules (pre-commit's whole index) but only
    /// the named ones are reported.
    public func scoped(to files: Set<String>) -> Linter.Result {
        var result = self
        result.findings = findings.filter { files.contains($0.location.file) }
        result.suppressed = suppressed.filter { files.contains($0.finding.location.file) }
        result.problems = problems.filter { problem in
            switch problem {
            case .core(let error): return error.location.map { files.contains($0.file) } ?? true
            case .malformedObject(let location, _): return files.contains(location.file)
            default: return true
            }
        }
        result.files = self.files.filter(files.contains)
        result.texts = texts.filter { files.contains($0.key) }
        result.objects = objects.filter { files.contains($0.file) }
        result.objectCount = result.objects.count
        return result
    }

    /// Only the findings that `base` (the same files at another revision) does not have, matched by
    /// fingerprint (rule, file, object, container, field path), so moved lines are not "new".
    public func onlyNew(comparedWith base: Linter.Result) -> Linter.Result {
        let old = Set(base.findings.map(\.fingerprint))
        var copy = self
        copy.findings = findings.filter { !old.contains($0.fingerprint) }
        return copy
    }

    /// The highest severity among the findings, or nil when there are none.
    public var highestSeverity: Severity? {
        var highest: Severity?
        for finding in findings where highest.map({ finding.severity > $0 }) ?? true { highest = finding.severity }
        return highest
    }
}
