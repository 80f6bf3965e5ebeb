import Foundation
import KomplyCore
import KomplyGit
import KomplyLint
import KomplyPredict

/// `komply lint --fix`: the safe fixes of a run, with missing requests and limits sized by komply
/// predict (or the rules' fixed values), and writing them all-or-nothing per file.
public enum LintFixes {
    /// How the resource fixes are sized; nil writes the rules' fixed values (`--no-predict`).
    public struct Sizing: Sendable {
        /// The history file (default as komply predict finds it).
        public var history: String?
        /// The tier (default komply.yaml's, else balanced).
        public var tier: Tier?

        /// Creates sizing options.
        public init(history: String? = nil, tier: Tier? = nil) {
            self.history = history
            self.tier = tier
        }
    }

    /// The changes the fixes of `result` make, with the same komply.yaml as `request` (its `--config`,
    /// else the one found from the current folder up).
    public static func changes(
        for result: Linter.Result, linter: Linter, request: LintRequest, sizing: Sizing?, networkPolicy: Bool = false
    ) throws -> [Fixer.Change] {
        try fixes(for: result, linter: linter, request: request, sizing: sizing, networkPolicy: networkPolicy).changes
    }

    /// Like `changes`, and names the files left byte-identical because they could not be edited safely.
    ///
    /// Fixes that create a file (the namespace-wide default-deny NetworkPolicy) are left out unless
    /// `networkPolicy`: applied to a live namespace, such a policy cuts every workload's traffic that no
    /// other policy allows. Each one left out is named in the outcome's refusals.
    public static func fixes(
        for result: Linter.Result, linter: Linter, request: LintRequest, sizing: Sizing?, networkPolicy: Bool = false
    ) throws -> Fixer.Outcome {
        var result = result
        var withheld: [Fixer.Refusal] = []
        if !networkPolicy {
            for index in result.findings.indices {
                guard let fix = result.findings[index].fix, let created = fix.newFile else { continue }
                if !withheld.contains(where: { $0.file == created.path }) && !FileManager.default.fileExists(atPath: created.path) {
                    withheld.append(
                        Fixer.Refusal(
                            file: created.path,
                            reason:
                                "a default-deny NetworkPolicy cuts every workload's traffic in its namespace that no other policy allows; pass --fix-network-policy to write it"
                        ))
                }
                result.findings[index].fix = fix.edits.isEmpty ? nil : Fix(summary: fix.summary, edits: fix.edits)
            }
        }
        var predicted: PredictedFixes?
        if let sizing {
            let config = try request.config ?? ProjectConfig.load(path: request.configPath, checkRuleIDs: false)
            predicted = try PredictedFixes(result: result, config: config, history: sizing.history, tier: sizing.tier)
        }
        var outcome = Fixer.fixes(result, with: linter) { predicted?.adjust($0) ?? $0 }
        outcome.refused += withheld
        return outcome
    }

    /// Writes each change atomically (standard input has no file to write) and reports it to `wrote`; a file
    /// whose bytes are no longer the text the fixes were made on is left as it is and reported to `skipped`.
    /// A symbolic link is kept: the fix is written to the file it leads to when that lies inside the repository
    /// around the current folder (the current folder outside a repository); a link leading elsewhere, or
    /// dangling, is left as it is and reported to `skipped`.
    public static func write(
        _ changes: [Fixer.Change], wrote: (Fixer.Change) -> Void, skipped: (Fixer.Refusal) -> Void = { _ in }
    ) throws(LintError) {
        let current = FileManager.default.currentDirectoryPath
        let repository = RepositoryInfo.discover(from: current)
        let bound = Paths.canonical(repository?.root ?? current)
        let place = repository == nil ? "the current folder" : "the repository"
        for change in changes where change.file != "<stdin>" {
            if !change.before.isEmpty, let current = FileManager.default.contents(atPath: change.file), current != Data(change.before.utf8)
            {
                skipped(Fixer.Refusal(file: change.file, reason: "it changed since komply read it"))
                continue
            }
            let resolution = Paths.resolvingLinks(change.file)
            if let link = resolution.firstLink(leaving: bound) {
                skipped(
                    Fixer.Refusal(
                        file: change.file,
                        reason:
                            "it is reached through the symbolic link \(link.path) → \(link.destination), which leads outside \(place) (\(bound)); komply edits a linked file only when the link stays inside \(place), and never replaces a link with a copy"
                    ))
                continue
            }
            // The link stays; its target gets the fixed bytes.
            do { try AtomicWriter.write(Data(change.after.utf8), to: resolution.path) } catch {
                throw .unwritable(file: change.file, reason: error.localizedDescription)
            }
            wrote(change)
        }
    }
}
