import Foundation
import KomplyCore
import KomplyGenerate
import KomplyGit
import KomplyLint
import KomplyPredict
import KomplyRefine
import KomplySources

/// What `komply sync` commits: the generated files, where they go, and their provenance.
public struct SyncGeneration: Sendable {
    /// Generated files, paths relative to `outputDirectory`.
    public var files: [GeneratedFile]
    /// What the run owns under `outputDirectory` (see `GenerationResult.scope`).
    public var scope: [String] = []
    /// Warnings from the generator.
    public var notices: [Diagnostic]
    /// The output folder as given or configured (relative to the current folder).
    public var outputDirectory: String
    /// SHA-256 of the canonical model of every app read (what komply understood, not file bytes).
    public var inputDigest: String
    /// SHA-256 of the rule pack (ids, categories, severities, descriptions).
    public var rulesDigest: String
    /// The sizing tier (`balanced`…) or `defaults` with --no-predict.
    public var sizingProfile: String
    /// komply predict's recommendation per container (empty with --no-predict).
    public var recommendations: [Recommendation]
    /// The policy pack run over each app's generated files, by app (set by `lint(folder:)`).
    public var findings: [String: Linter.Result] = [:]
    /// komply.yaml as generation read it (its policy section lints the output).
    public var config: ConfigFile?
    /// Apps that could not be read or generated; the others are synced, these are named in the commit
    /// message and pull request, and the run exits 2.
    public var failures: [GeneratePipeline.AppFailure] = []
    /// The recommendation card of every service (the pull request's sizing section shows it).
    public var card: ExplainCard?
    /// What LLM refinement did, when komply.yaml's `refine` or `--llm` asked for it.
    public var refinement: RefinementReport?

    /// Runs the same pipeline as `komply generate` without writing anything, refinement included: `llm` and
    /// komply.yaml's `refine` section are honoured as `generate` honours them, replaying `.komply/llm-cache`.
    public static func run(_ request: GenerateRequest, llm: LLMOptions = LLMOptions()) async throws -> SyncGeneration {
        // Apps that fail are left out and listed in `failures`: the others are still synced (a failed app's
        // folder is outside the run's scope, so its committed output stays as it was).
        let pipeline = try await GeneratePipeline.run(request).refined(llm, templates: request.templates, history: request.history)
        let projects = pipeline.projects
        let result = pipeline.result
        let plan = pipeline.plan
        let profile = pipeline.sizingProfile
        let model = projects.map { JSONEmitter.emit($0.canonical(), pretty: false) }.joined(separator: "\n")
        let rules = try RuleLoader.builtin()
        let rulesText = rules.map { "\($0.id)\t\($0.category)\t\($0.severity)\t\($0.description)" }.joined(separator: "\n")
        var generation = SyncGeneration(
            files: result.files, notices: result.notices, outputDirectory: plan.outputDirectory,
            inputDigest: "sha256:" + SHA256.hex(model), rulesDigest: "sha256:" + SHA256.hex(rulesText), sizingProfile: profile,
            recommendations: pipeline.recommendations, config: plan.config)
        generation.scope = result.scope
        generation.failures = pipeline.failures
        generation.refinement = pipeline.refinement
        generation.card = try ExplainCard.make(pipeline, history: request.history)
        return generation
    }

    /// What the run owns of `app`'s folder, relative to it; empty when it owns all of it.
    public func scope(of app: String) -> [String] {
        let prefix = app + "/"
        let owned = scope.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        return owned.contains("") ? [] : owned
    }

    /// Lints the generated files as they will be committed under `folder` (repository-relative), with
    /// the policy of the komply.yaml generation read, so the pull request shows what reviewers would
    /// see from `komply lint`.
    public mutating func lint(folder: String) throws {
        let linter: Linter
        var request = LintRequest(paths: [])
        request.config = config
        linter = try request.makeLinter()
        for (app, appFiles) in apps {
            let base = folder.isEmpty ? app : folder + "/" + app
            // The manifests only: SECRETS.md and other notes are not Kubernetes objects.
            let manifests = appFiles.keys.filter { [".yaml", ".yml", ".json"].contains(where: $0.hasSuffix) }
            let sources = manifests.sorted().map { path in
                ManifestSource(file: base + "/" + path, text: String(decoding: appFiles[path]!, as: UTF8.self))
            }
            // Each environment's overlay as it renders, like `komply lint`.
            findings[app] = OverlayLint.adding(to: linter.lint(sources: sources), linter: linter)
        }
    }

    /// The provenance trailers of a sync commit; `Komply-Version` marks the branch as komply's.
    public var trailers: [(key: String, value: String)] {
        [
            (GitRepository.ownershipTrailer, KomplyVersion.current), ("Komply-Input-Digest", inputDigest),
            ("Komply-Rules-Digest", rulesDigest), ("Komply-Sizing-Profile", sizingProfile),
        ]
    }

    /// The files grouped by app (the first path component), apps sorted.
    public var apps: [(app: String, files: [String: Data])] {
        var grouped: [String: [String: Data]] = [:]
        for file in files {
            let parts = file.path.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else { continue }
            grouped[String(parts[0]), default: [:]][String(parts[1])] = Data(file.contents.utf8)
        }
        return grouped.keys.sorted().map { ($0, grouped[$0]!) }
    }
}
