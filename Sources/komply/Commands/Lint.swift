import ArgumentParser
import Foundation
import KomplyCore
import KomplyGit
import KomplyLint
import KomplyPipeline
import KomplyPredict
import KomplyRefine

extension Komply {
    /// `komply lint`: check manifests against the policy pack.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check Kubernetes manifests against policy rules.",
            discussion: HelpText.paragraphs(
                """
                PATH is a manifest file (multi-document YAML or JSON, List kinds, kustomize or Helm output),
                a folder searched recursively for .yaml/.yml/.json, or - for standard input. A file that
                cannot be parsed is reported with its position and the others are still linted.

                --staged (pre-commit) reads the index instead of the worktree: every manifest in the index is
                linted as context for cross-object rules, and only findings in the named PATHs (all manifests
                when none is named) are reported. Named files the index does not hold, and files that cannot
                hold a Kubernetes object (no apiVersion and kind), are skipped.

                Examples:
                  # text report, grouped by file
                  komply lint deploy/
                  komply lint deploy/ --format sarif=komply.sarif --format text
                  helm template chart | komply lint - --format json
                  # show the safe fixes as a diff
                  komply lint deploy/ --fix --dry-run
                  # also write missing default-deny policies
                  komply lint deploy/ --fix --fix-network-policy
                  # fix, then refine each workload with a model (docs/llm.md)
                  komply lint deploy/ --fix --llm ollama
                  # only findings this change adds
                  komply lint deploy/ --new-only --base origin/main
                  # what a commit made now would contain
                  komply lint --staged deploy/api.yaml
                  # CPU, memory, GPUs and cost per namespace, each overlay as it renders
                  komply lint deploy/shop --summary

                A kustomize overlay among the files is rendered with the transforms komply writes (namespace,
                replicas, images, JSON 6902 patches) and what it adds is reported on the overlay's own lines.

                No Kubernetes object in the PATHs (no manifest file, or only files without apiVersion and
                kind) is an error (exit 2; a wrong path in CI must not pass) unless --allow-empty. --fix never writes a namespace-wide default-deny NetworkPolicy unless
                --fix-network-policy asks: applied to a live namespace it cuts every workload's traffic.

                With --fix, --llm PROVIDER (or komply.yaml's refine section) then refines each workload of
                the linted files, as the fixes leave it, as generate does: the model proposes operations on allow-listed paths,
                komply keeps those within bounds that bring no new finding, writes them as line edits and
                marks the workload komply.dev/refined (a marked workload is not asked about again). Answers
                are replayed from .komply/llm-cache; --no-llm turns refinement off (docs/llm.md).

                Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 bad input or usage.
                """)
        )

        @Argument(help: "Manifest files or folders; - reads standard input.")
        var paths: [String] = []

        @Option(name: .customLong("format"), help: "Report format, optionally =FILE (sarif=komply.sarif); repeatable.")
        var formats: [FormatSpec] = []

        @Option(
            name: [.customShort("o"), .customLong("output")], help: "Write the report of the first --format without =FILE to this file.")
        var output: String?

        @Option(
            name: .customLong("fail-on"),
            help: "Lowest severity that makes the exit status 1 (default: policy.failOn in komply.yaml, else warning).")
        var failOn: Severity?

        @Option(name: .customLong("rule"), help: "Run only this rule (disabled rules included); repeatable.")
        var only: [String] = []

        @OptionGroup var policy: LintPolicyOptions

        @Flag(help: "Apply safe fixes in place, then report what remains.")
        var fix = false

        @Flag(
            name: .customLong("fix-network-policy"),
            help: "With --fix: also write the missing namespace-wide default-deny NetworkPolicy (it cuts all traffic not allowed).")
        var fixNetworkPolicy = false

        @Flag(
            help:
                "Also print what the manifests request per namespace (per kustomize overlay as rendered): CPU, memory, GPUs × replicas and the monthly cost (report.prices)."
        )
        var summary = false

        @Flag(name: .customLong("allow-empty"), help: "Succeed when the paths hold no manifest file (default: exit 2).")
        var allowEmpty = false

        @Flag(name: .customLong("dry-run"), help: "With --fix: print the fixes as a unified diff and change nothing.")
        var dryRun = false

        @Option(help: "With --fix: the history file that sizes missing requests and limits (default as komply predict).")
        var history: String?

        @Option(help: "With --fix: the sizing tier (default: from komply.yaml, else balanced).")
        var tier: Tier?

        @Flag(name: .customLong("no-predict"), help: "With --fix: write the rules' fixed resource values instead of komply predict's.")
        var noPredict = false

        @OptionGroup(title: "LLM refinement (with --fix)") var llm: LLMFlags

        @Flag(name: .customLong("new-only"), help: "Report only findings that are not present at --base.")
        var newOnly = false

        @Option(name: .customLong("base"), help: "The git ref --new-only compares with (for example origin/main).")
        var base: String?

        @Flag(help: "Lint the staged content (the git index) with the whole index as context; report only PATHs (default: all).")
        var staged = false

        @Flag(
            name: .customLong("parse-only"),
            help: ArgumentHelp("Only read and parse the inputs, then print counts (for benchmarks).", visibility: .hidden))
        var parseOnly = false

        @Flag(
            help: "Print where the time went to standard error: each phase's wall and CPU time, and each rule's time, objects and findings."
        )
        var timings = false

        @Option(name: .customLong("color"), help: "Colour the text report (auto: when standard output is a terminal).")
        var color: ColorMode = .auto

        enum ColorMode: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

        func validate() throws {
            if dryRun && !fix { throw ValidationError("--dry-run only applies with --fix") }
            if fixNetworkPolicy && !fix { throw ValidationError("--fix-network-policy only applies with --fix") }
            if !fix && (history != nil || tier != nil || noPredict) {
                throw ValidationError("--history, --tier and --no-predict size the resources --fix writes; they only apply with --fix")
            }
            if !fix && (llm.provider != nil || llm.url != nil || llm.model != nil || llm.dialect != nil || llm.refresh || llm.offline) {
                throw ValidationError(
                    "--llm, --llm-url, --llm-model, --llm-dialect, --llm-refresh and --llm-offline refine what --fix writes; they only apply with --fix"
                )
            }
            if newOnly != (base != nil) { throw ValidationError("--new-only and --base REF go together") }
            if staged && fix { throw ValidationError("--fix edits the worktree; it cannot be combined with --staged (fix, then git add)") }
            if staged && paths.contains("-") {
                throw ValidationError("--staged reads files from the git index; - (standard input) cannot be combined with it")
            }
            if staged && parseOnly { throw ValidationError("--parse-only cannot be combined with --staged") }
            if timings && (staged || parseOnly || newOnly) {
                throw ValidationError("--timings times a plain run; it cannot be combined with --staged, --parse-only or --new-only")
            }
            let files = formats.compactMap(\.file) + (output.map { [$0] } ?? [])
            if Set(files).count != files.count { throw ValidationError("two reports cannot be written to the same file") }
            if output != nil, !formats.isEmpty, !formats.contains(where: { $0.file == nil }) {
                throw ValidationError("-o names the file for a --format without =FILE, but every --format has its own file")
            }
        }

        func run() async throws {
            var request = LintRequest(
                paths: paths.isEmpty ? ["."] : paths, configPath: policy.config, rulesDirectories: policy.rulesDirectories,
                only: only.isEmpty ? nil : only, kubernetesVersion: policy.kubernetesVersion)
            if !staged {
                // komply.yaml is checked whole, as every command does; --staged reads the index's copy instead.
                request.config = try ProjectConfig.load(path: policy.config, checkRuleIDs: false)
                request.configPath = nil
            }
            if parseOnly {
                let loaded = ManifestLoader.load(files: try ManifestLoader.expand(request.paths))
                print("\(loaded.files.count) files, \(loaded.objects.count) objects, \(loaded.problems.count) unreadable")
                // Like `finish`: done, so exit without freeing the parsed objects one by one.
                Komply.Lint.exitWith(0)
            }
            if staged {
                try finish(try RepositoryLint.staged(request, paths: paths, newOnlyAgainst: base))
            }
            let (linter, first) = try request.lint(timed: timings)
            var result = first
            if fix {
                let sizing = noPredict ? nil : LintFixes.Sizing(history: history, tier: tier)
                let outcome = try LintFixes.fixes(
                    for: result, linter: linter, request: request, sizing: sizing, networkPolicy: fixNetworkPolicy)
                for refusal in outcome.refused {
                    FileHandle.standardError.write(Data("komply: not fixed \(refusal.file): \(refusal.reason)\n".utf8))
                }
                // With --llm (or komply.yaml's refine section), each workload, as fixed, is refined as generate refines.
                let refined = try await LintFixes.refined(
                    outcome.changes, result: result, linter: linter, request: request, options: llm.options, sizing: sizing)
                for line in refined.report?.lines ?? [] { FileHandle.standardError.write(Data("komply: \(line)\n".utf8)) }
                let changes = refined.changes
                if dryRun {
                    for change in changes {
                        let old = change.before.isEmpty ? "/dev/null" : "a/" + change.file
                        let diff = TextDiff.unified(
                            old: change.before, new: change.after, oldName: old, newName: "b/" + change.file, maskingSecrets: true)
                        FileHandle.standardOutput.write(Data(diff.utf8))
                    }
                    FileHandle.standardError.write(
                        Data("komply: \(changes.count) file(s) would change; nothing written (--dry-run)\n".utf8))
                    return
                }
                try LintFixes.write(changes) { change in
                    FileHandle.standardError.write(
                        Data("komply: fixed \(change.file): \(change.applied.joined(separator: "; "))\n".utf8))
                } skipped: { refusal in
                    FileHandle.standardError.write(Data("komply: not fixed \(refusal.file): \(refusal.reason)\n".utf8))
                }
                if !changes.isEmpty { result = try linter.lint(paths: request.paths, timed: timings) }
            }
            // What each kustomize overlay renders (replicas, HPA bounds, images, scaled resources) is linted too.
            let overlays: Int
            (result, overlays) = OverlayLint.run(on: result, linter: linter)
            if let base {
                let old = OverlayLint.adding(to: try BaseRevision.lint(result, ref: base, linter: linter), linter: linter)
                result = result.onlyNew(comparedWith: old)
            }
            try finish((result, linter), overlays: overlays)
        }

        /// Prints problems and reports, then exits with the run's status.
        ///
        /// It exits rather than returns: unwinding would free every parsed object, finding and report
        /// one by one, a tenth of a second on a large run that ends the process anyway.
        func finish(_ outcome: (result: Linter.Result, linter: Linter), overlays: Int = 0) throws -> Never {
            let (result, linter) = outcome
            for problem in result.problems {
                FileHandle.standardError.write(Data("komply: error: \(problem.localizedDescription)\n".utf8))
            }
            // A wrong path in CI must not pass as "no findings"; pre-commit (--staged) may name no manifest.
            let empty = result.objectCount == 0 && overlays == 0 && result.problems.isEmpty && !staged && !allowEmpty
            if empty {
                let named = (paths.isEmpty ? ["."] : paths).joined(separator: ", ")
                let what =
                    result.files.isEmpty
                    ? "no manifest files found; expected .yaml, .yml or .json files"
                    : "no Kubernetes object in \(result.files.count) file(s); expected documents with apiVersion and kind"
                FileHandle.standardError.write(
                    Data("komply: error: \(named): \(what) (pass --allow-empty when none is fine)\n".utf8))
            }
            let start = LintTimings.Mark.now()
            try report(result, linter: linter)
            if summary {
                let prices = try ReportFlow.prices(staged ? nil : ProjectConfig.load(path: policy.config, checkRuleIDs: false))
                let table = ManifestTotals(result: result, prices: prices).table(currency: prices.currency)
                // A machine-readable report on standard output stays parseable: the table goes to standard error then.
                let specs = formats.isEmpty ? [FormatSpec(argument: "text")!] : formats
                let machineOnStdout = specs.contains { $0.format != .text && $0.file == nil && output == nil }
                (machineOnStdout ? FileHandle.standardError : FileHandle.standardOutput).write(Data(("\n" + table).utf8))
            }
            if var timings = result.timings {
                timings.phase("report", since: start)
                FileHandle.standardError.write(Data(timings.table().utf8))
            }
            let threshold = failOn ?? linter.config.failOn ?? .warning
            if !result.problems.isEmpty || empty { Komply.Lint.exitWith(2) }
            if let highest = result.highestSeverity, highest >= threshold { Komply.Lint.exitWith(1) }
            Komply.Lint.exitWith(0)
        }

        func report(_ result: Linter.Result, linter: Linter) throws(LintError) {
            let specs = formats.isEmpty ? [FormatSpec(argument: "text")!] : formats
            let tty = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            let firstWithoutFile = specs.firstIndex { $0.file == nil }
            for (index, spec) in specs.enumerated() {
                let file = spec.file ?? (index == firstWithoutFile ? output : nil)
                let useColor = spec.format == .text && file == nil && (color == .always || (color == .auto && tty))
                let context = ReportContext(rules: linter.allRules, color: useColor)
                let chunks = spec.format.reporter.renderChunks(result, context: context)
                if let file {
                    do { try AtomicWriter.write(chunks: chunks, to: file) } catch {
                        throw .unwritable(file: file, reason: error.localizedDescription)
                    }
                } else {
                    for chunk in chunks { FileHandle.standardOutput.write(chunk) }
                }
            }
        }

        /// Exits after the reports are written (a malformed input makes the run's status 2).
        static func exitWith(_ code: Int32) -> Never {
            Foundation.exit(code)
        }
    }
}
