import ArgumentParser
import Foundation
import KomplyCore
import KomplyGenerate
import KomplyGit
import KomplyPipeline
import KomplySources

extension Komply {
    /// `komply generate`: compose apps → a kustomize tree (base + overlays) and Argo CD Applications.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate production-grade Kubernetes manifests (kustomize base + overlays, Argo CD) from compose apps.",
            discussion: HelpText.paragraphs(
                """
                Each PATH is one app: a compose file, a folder, or a docker inspect snapshot. Without PATH or
                -f, the `sources` globs of komply.yaml are used. Output goes to <out>/<app>/base,
                <out>/<app>/overlays/<env> and <out>/<app>/argocd; files komply did not write are never
                overwritten, and files it wrote that are no longer generated are removed. Writing is
                all-or-nothing: a file komply may not replace stops the run before anything is written.
                With several apps, an app that cannot be read or generated is reported (file:line:column)
                and the others are still generated and written together, all-or-nothing; the failed app's
                existing output is left untouched, and the run exits 2.
                Inside a git repository, a symbolic link on the way to an output file must stay inside
                the repository (it is then written through and kept); one leading out is refused.

                --staged (with --check, for pre-commit) generates from the staged content (the git index) and
                compares with the output folder as staged, whatever the worktree holds; the sizing history
                is still read from the worktree.

                Examples:
                  komply generate compose.yaml -o deploy
                  # exit 1 and a diff when deploy/ is out of date
                  komply generate --check
                  # the same for what a commit made now would contain
                  komply generate --check --staged
                  # print the files instead of writing them
                  komply generate app/ --dry-run
                  # print which service may reach which, and why
                  komply generate app/ --explain
                """)
        )

        @OptionGroup var options: GenerateOptions

        @OptionGroup(title: "LLM refinement") var llm: LLMFlags

        @Flag(help: "Write nothing; exit 1 and print a diff when the output folder differs from what would be generated.")
        var check = false

        @Flag(name: .customLong("dry-run"), help: "Print the generated files instead of writing them.")
        var dryRun = false

        @Flag(help: "Read the staged content (the git index) instead of the worktree; with --check or --dry-run.")
        var staged = false

        @Flag(help: "Print each app's traffic graph first: every edge the NetworkPolicies allow, its ports and its evidence.")
        var explain = false

        @Option(
            help:
                "What to print on standard output: text, json (a report: docs/generate.md), or yaml (with --dry-run: one stream for kubectl apply -f -)."
        )
        var format: GenerateFormat = .text

        @OptionGroup var verbosity: VerbosityOptions

        /// `--format`.
        enum GenerateFormat: String, CaseIterable, ExpressibleByArgument { case text, json, yaml }

        func validate() throws {
            if check && dryRun { throw ValidationError("--check and --dry-run cannot be combined") }
            if format == .yaml && !dryRun {
                throw ValidationError("--format yaml prints the generated objects and needs --dry-run")
            }
            if format == .yaml && options.environments.count > 1 {
                throw ValidationError("--format yaml renders one environment; pass one --env (or none for the base)")
            }
            if format != .text && explain { throw ValidationError("--explain prints text; drop it or --format \(format.rawValue)") }
            if staged && !check && !dryRun {
                throw ValidationError(
                    "--staged only applies with --check or --dry-run; komply writes generated files to the worktree, not the index")
            }
        }

        func run() async throws {
            if staged {
                try await GeneratePipeline.staged(options.request, llm: llm.options) { pipeline in
                    reportRefinement(pipeline)
                    try render(pipeline)
                }
            } else {
                let pipeline = try await GeneratePipeline.run(options.request).refined(
                    llm.options, templates: options.templates, history: options.history)
                reportRefinement(pipeline)
                try render(pipeline)
            }
        }

        /// What the LLM changed and rejected, on standard error.
        func reportRefinement(_ pipeline: GeneratePipeline) {
            for line in pipeline.refinement?.lines ?? [] { FileHandle.standardError.write(Data("komply: \(line)\n".utf8)) }
        }

        /// Prints the generated files (--dry-run), compares them with the output folder (--check) or
        /// writes them.
        func render(_ pipeline: GeneratePipeline) throws {
            let plan = pipeline.plan
            let result = pipeline.result
            let console = verbosity.console
            if format != .json { result.notices.forEach(console.report) }
            if explain {
                for edge in result.traffic { print(edge) }
                let dns = plan.settings.dns
                let labels = dns.podLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                print(
                    "every workload → DNS (namespace \(dns.namespace), pods \(labels.isEmpty ? "any" : labels)\(dns.nodeLocalIP.map { ", \($0)" } ?? "")) on \(dns.ports.map { "\($0)/udp, \($0)/tcp" }.joined(separator: ", ")) (defaults.dns)"
                )
            }
            // An app that failed is reported and the others are still generated; the run then exits 2.
            defer { pipeline.failures.forEach { console.error("\($0)") } }
            if !pipeline.failures.isEmpty {
                console.error(
                    "\(pipeline.failures.count) app(s) failed (listed below); their output under \(plan.outputDirectory) is left as it is")
            }
            do { try emit(pipeline, console: console) } catch let status as ExitCode where !pipeline.failures.isEmpty {
                // Drift (1) in the good apps: bad input (2) still wins.
                _ = status
            }
            if !pipeline.failures.isEmpty { throw ExitCode(2) }
        }

        /// Prints, compares or writes the apps that were generated.
        func emit(_ pipeline: GeneratePipeline, console: Console) throws {
            let plan = pipeline.plan
            let result = pipeline.result
            if dryRun {
                switch format {
                case .text:
                    for file in result.files {
                        print("=== \(plan.outputDirectory)/\(file.path)")
                        print(file.contents, terminator: "")
                    }
                case .yaml:
                    guard let environment = options.environments.first else {
                        print(GenerateSummary.objectStream(result.files, under: plan.outputDirectory), terminator: "")
                        return
                    }
                    let rendered = GenerateSummary.objectStream(result.files, under: plan.outputDirectory, environment: environment)
                    if let overlay = rendered.unrendered {
                        throw CLIError(message: "\(overlay): komply cannot render this overlay in-process; use kubectl kustomize")
                    }
                    print(rendered.stream, terminator: "")
                case .json:
                    let drift = OutputTree.drift(result, in: plan.outputDirectory)
                    print(GenerateSummary(pipeline, mode: .dryRun, drift: drift).json, terminator: "")
                }
                return
            }
            if check {
                // Paths as the repository sees them (a/deploy/app/base/…), so `git apply` at its root takes the diff.
                let outputPath = plan.settings.outputPath
                let drift = OutputTree.drift(
                    result, in: plan.outputDirectory, diffPrefix: outputPath.hasPrefix("/") ? "" : outputPath + "/")
                if format == .json { print(GenerateSummary(pipeline, mode: .check, drift: drift).json, terminator: "") }
                guard !drift.isEmpty else {
                    console.status("\(plan.outputDirectory) is up to date (\(result.files.count) files)")
                    return
                }
                if format == .text { for change in drift.changes { print(change.diff, terminator: "") } }
                console.status(
                    "\(drift.changes.count) file(s) in \(plan.outputDirectory) differ from what komply generates; run `komply generate`\(staged ? " and stage the output (git add)" : "")"
                )
                throw ExitCode(1)
            }
            let changes = try OutputTree.write(result, to: plan.outputDirectory, repositoryRoot: plan.repositoryRoot)
            if format == .json { print(GenerateSummary(pipeline, mode: .write, changes: changes).json, terminator: "") }
            for removed in changes.removed {
                console.status("removed \(plan.outputDirectory)/\(removed) (no longer generated)")
            }
            console.status("wrote \(changes.written.count) of \(result.files.count) file(s) under \(plan.outputDirectory)")
        }
    }
}
