import Foundation
import KomplyCore

/// Every error the pipeline itself raises (features' errors pass through unchanged); each names
/// the file, flag or value and what was expected.
public enum PipelineError: Error, LocalizedError, Sendable, Equatable {
    /// komply.yaml's `sources` globs match nothing.
    case sourcesMatchNothing(config: String)
    /// `--env NAME` names no environment of komply.yaml.
    case unknownEnvironment(name: String, known: [String])
    /// A time flag or `KOMPLY_NOW` is not a time.
    case invalidTime(String)
    /// A folder or path lies outside the repository a snapshot reads; `expected` says what to do.
    case outsideRepository(path: String, workdir: String, expected: String)
    /// The snapshot's copy of the current folder cannot be entered.
    case cannotEnterSnapshot(path: String)
    /// `--staged` outside a git repository.
    case notInRepository(folder: String)
    /// The repository has no worktree to read the apps from.
    case bareRepository(gitDirectory: String)
    /// `komply serve` was pointed at a clone without a worktree.
    case bareClone(gitDirectory: String)
    /// The output folder lies outside the repository `komply sync` commits to.
    case outputOutsideRepository(folder: String, root: String)
    /// A flag's value is unusable (`value` nil when the flag names several).
    case invalidFlag(flag: String, value: String?, expected: String)
    /// Generation produced no app to commit.
    case nothingGenerated
    /// A komply.yaml value the pipeline reads itself (the `report` section) is unusable.
    case invalidConfig(SourceLocation, expected: String)
    /// Every app failed (or `komply sync`, which commits all apps or none, met a failed app).
    case appsFailed([GeneratePipeline.AppFailure])
    /// `komply sync`: these apps failed and were not synced; the others were.
    case appsNotSynced([GeneratePipeline.AppFailure])

    public var errorDescription: String? {
        switch self {
        case .sourcesMatchNothing(let config):
            return "\(config): sources match no files; expected globs such as apps/*/compose.yaml"
        case .unknownEnvironment(let name, let known):
            return
                "--env \(name): no such environment in komply.yaml; expected one of \(known.isEmpty ? "default" : known.joined(separator: ", "))"
        case .invalidTime(let text):
            return "invalid time \"\(text)\": expected RFC 3339 such as 2026-01-31T12:00:00Z or seconds since 1970, between 1970 and 2100"
        case .outsideRepository(let path, let workdir, let expected):
            return "\(path): outside the repository \(workdir); \(expected)"
        case .cannotEnterSnapshot(let path):
            return "\(path): cannot enter the snapshot folder"
        case .notInRepository(let folder):
            return "--staged reads the git index, but \(folder) is not inside a git repository; expected a folder with .git at or above it"
        case .bareRepository(let gitDirectory):
            return "\(gitDirectory): a bare repository; expected a checkout to read the apps from"
        case .bareClone(let gitDirectory):
            return "\(gitDirectory): a bare repository; expected a clone with a worktree to regenerate in"
        case .outputOutsideRepository(let folder, let root):
            return "\(folder): the output folder is outside the repository \(root); expected a folder inside it"
        case .invalidFlag(let flag, let value, let expected):
            return "invalid \(flag)\(value.map { " \"\($0)\"" } ?? ""): expected \(expected)"
        case .nothingGenerated:
            return "nothing was generated; expected at least one app"
        case .invalidConfig(let location, let expected):
            return "\(location): invalid config: expected \(expected)"
        case .appsFailed(let failures):
            let apps = failures.filter { !$0.app.isEmpty }.count
            return failures.map(\.description).joined(separator: "\n")
                + (apps > 1 ? "\n\(apps) apps failed; nothing was generated" : "")
        case .appsNotSynced(let failures):
            return failures.map(\.description).joined(separator: "\n")
                + "\n\(failures.count) app\(failures.count == 1 ? "" : "s") failed and \(failures.count == 1 ? "was" : "were") not synced; the other apps were"
        }
    }
}
