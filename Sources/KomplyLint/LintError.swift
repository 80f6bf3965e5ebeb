import Foundation
import KomplyCore

/// Every error KomplyLint raises; each names the file and, where there is one, the position.
public enum LintError: Error, LocalizedError, Sendable, Equatable {
    /// A manifest or rule file could not be read or parsed.
    case core(CoreError)
    /// A rule file is missing a field or has one of the wrong type.
    case invalidRule(SourceLocation, problem: String)
    /// A rule names a check template that is not registered.
    case unknownCheck(SourceLocation, check: String, known: [String])
    /// A rule's `params` do not decode into the check's parameters.
    case invalidParameters(SourceLocation, rule: String, problem: String)
    /// Two rule files define the same id.
    case duplicateRule(SourceLocation, id: String, first: String)
    /// The configuration file is malformed.
    case invalidConfig(SourceLocation, problem: String)
    /// A rule id named on the command line or in the config does not exist.
    case unknownRule(String, location: SourceLocation?, suggestion: String? = nil)
    /// A path named on the command line does not exist.
    case missingPath(String)
    /// A `--format` value is not understood.
    case invalidFormat(String)
    /// A fixture folder is missing or malformed.
    case invalidFixture(SourceLocation, problem: String)
    /// Writing an output file failed.
    case unwritable(file: String, reason: String)
    /// The base ref for `--new-only` could not be read.
    case baseUnavailable(ref: String, reason: String)
    /// `komply rules new` was asked for a rule it cannot create.
    case invalidScaffold(String)
    /// A Kubernetes object whose `apiVersion`, `kind`, `metadata` or container list has the wrong type.
    case malformedObject(SourceLocation, problem: String)
    /// `komply rules test` found no rule files in the folders named.
    case noRuleFiles(folders: [String])

    public var errorDescription: String? {
        switch self {
        case .core(let error):
            return error.localizedDescription
        case .invalidRule(let location, let problem):
            return "\(location): invalid rule: \(problem)"
        case .unknownCheck(let location, let check, let known):
            return "\(location): unknown check \"\(check)\"; expected one of \(known.joined(separator: ", "))"
        case .invalidParameters(let location, let rule, let problem):
            return "\(location): invalid params for rule \"\(rule)\": \(problem)"
        case .duplicateRule(let location, let id, let first):
            return
                "\(location): rule \"\(id)\" is already defined in \(first); expected each id once (a user rule with a built-in id replaces it only from a rules directory)"
        case .invalidConfig(let location, let problem):
            return "\(location): invalid config: \(problem)"
        case .unknownRule(let id, let location, let suggestion):
            let list = "`komply rules list` shows the rule ids"
            let hint = suggestion.map { "did you mean \"\($0)\"? (\(list))" } ?? list
            return "\(location.map { "\($0): " } ?? "")unknown rule \"\(id)\"; \(hint)"
        case .missingPath(let path):
            return "\(path): no such file or directory; expected a manifest file, a folder of manifests, or - for standard input"
        case .invalidFormat(let value):
            return "invalid --format \"\(value)\"; expected text, json, sarif, junit or github, optionally followed by =FILE"
        case .invalidFixture(let location, let problem):
            return "\(location): invalid fixture: \(problem)"
        case .unwritable(let file, let reason):
            return "\(file): cannot write: \(reason)"
        case .baseUnavailable(let ref, let reason):
            return "cannot read base ref \"\(ref)\": \(reason)"
        case .malformedObject(let location, let problem):
            return "\(location): \(problem); expected a Kubernetes object"
        case .noRuleFiles(let folders):
            return "\(folders.joined(separator: ", ")): no rule files (*.yaml) found"
        case .invalidScaffold(let problem):
            return "cannot create the rule: \(problem)"
        }
    }
}
