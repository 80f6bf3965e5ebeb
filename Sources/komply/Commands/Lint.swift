import ArgumentParser
import Foundation
import KomplyCore
import KomplyLint

extension Komply {
    /// `komply lint`: check manifests against the policy pack.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check Kubernetes manifests against policy rules.",
            discussion: """
                PATH is a manifest file (multi-document YAML or JSON, List kinds, kustomize or Helm output),
                a folder searched recursively for .yaml/.yml/.json, or - for standard input. A file that
                cannot be parsed is reported with its position and the others are still linted.

                Examples:
                  komply lint deploy/                                   # text report, grouped by file
                  komply lint deploy/ --format sarif=komply.sarif --format text
                  helm template chart | komply lint - --format json
                  komply lint deploy/ --fix --dry-run                   # show the safe fixes as a diff
                  komply lint deploy/ --new-only --base origin/main     # only findings this change adds

                Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 bad input or usage.
                """
        )

        @Argument(help: "Manifest files or folders; - reads standard input.")
        var paths: [String] = []

        @Option(name: .customLong("format"), help: "Report format text|json|sarif|junit|github, optionally =FILE; repeatable.")
        var formats: [FormatSpec] = []

        @Option(
            name: [.customShort("o"), .customLong("output")], help: "Write the report of the first --format without =FILE to this file.")
        var output: String?

        @Option(
            name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: error, warning or info (default: warning).")
        var failOn: Severity?

        @Option(name: .customLong("rule"), help: "Run only this rule (disabled rules included); repeatable.")
        var only: [String] = []

        @OptionGroup var policy: LintPolicyOptions

        @Flag(help: "Apply safe fixes in place, then report what remains.")
        var fix = false

        @Flag(name: .customLong("dry-run"), help: "With --fix: print the fixes as a unified diff and change nothing.")
        var dryRun = false

        @Flag(name: .customLong("new-only"), help: "Report only findings that are not present at --base.")
        var newOnly = false

        @Option(name: .customLong("base"), help: "The git ref --new-only compares with (for example origin/main).")
        var base: String?

        @Flag(
            name: .customLong("parse-only"),
            help: ArgumentHelp("Only read and parse the inputs, then print counts (for benchmarks).", visibility: .hidden))
        var parseOnly = false

        @Option(name: .customLong("color"), help: "Colour the text report: auto, always or never.")
        var color: ColorMode = .auto

        enum ColorMode: String, ExpressibleByArgument { case auto, always, never }

        func validate() throws {
            if dryRun && !fix { throw ValidationError("--dry-run only applies with --fix") }
            if newOnly != (base != nil) { throw ValidationError("--new-only and --base REF go together") }
            let files = formats.compactMap(\.file) + (output.map { [$0] } ?? [])
            if Set(files).count != files.count { throw ValidationError("two reports cannot be written to the same file") }
            if output != nil, !formats.isEmpty, !formats.contains(where: { $0.file == nil }) {
                throw ValidationError("-o names the file for a --format without =FILE, but every --format has its own file")
            }
        }

        func run() async throws {
            let request = LintRequest(
                paths: paths.isEmpty ? ["."] : paths, configPath: policy.config, rulesDirectories: policy.rulesDirectories,
                only: only.isEmpty ? nil : only, kubernetesVersion: policy.kubernetesVersion)
            do {
                if parseOnly {
                    let loaded = ManifestLoader.load(files: try ManifestLoader.expand(request.paths))
                    print("\(loaded.files.count) files, \(loaded.objects.count) objects, \(loaded.problems.count) unreadable")
                    return
                }
                let linter = try request.makeLinter()
                var result = try linter.lint(paths: request.paths)
                if fix {
                    let changes = Fixer.fix(result, with: linter)
                    if dryRun {
                        for change in changes {
                            let old = change.before.isEmpty ? "/dev/null" : "a/" + change.file
                            FileHandle.standardOutput.write(
                                Data(
                                    TextDiff.unified(old: change.before, new: change.after, oldName: old, newName: "b/" + change.file).utf8)
                            )
                        }
                        FileHandle.standardError.write(
                            Data("komply: \(changes.count) file(s) would change; nothing written (--dry-run)\n".utf8))
                        return
                    }
                    for change in changes where change.file != "<stdin>" {
                        do { try AtomicWriter.write(Data(change.after.utf8), to: change.file) } catch {
                            throw LintError.unwritable(file: change.file, reason: error.localizedDescription)
                        }
                        FileHandle.standardError.write(
                            Data("komply: fixed \(change.file): \(change.applied.joined(separator: "; "))\n".utf8))
                    }
                    if !changes.isEmpty { result = try linter.lint(paths: request.paths) }
                }
                if let base { result = result.onlyNew(comparedWith: try BaseRevision.lint(result, ref: base, linter: linter)) }
                for problem in result.problems {
                    FileHandle.standardError.write(Data("komply: error: \(problem.localizedDescription)\n".utf8))
                }
                try report(result, linter: linter)
                let threshold = failOn ?? linter.config.failOn ?? .warning
                if !result.problems.isEmpty { Komply.Lint.exitWith(2) }
                if let highest = result.highestSeverity, highest >= threshold { throw ExitCode(1) }
            } catch let error as LintError {
                throw CLIError(message: error.localizedDescription)
            }
        }

        func report(_ result: Linter.Result, linter: Linter) throws(LintError) {
            let specs = formats.isEmpty ? [FormatSpec(argument: "text")!] : formats
            let tty = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            let firstWithoutFile = specs.firstIndex { $0.file == nil }
            for (index, spec) in specs.enumerated() {
                let file = spec.file ?? (index == firstWithoutFile ? output : nil)
                let useColor = spec.format == .text && file == nil && (color == .always || (color == .auto && tty))
                let context = ReportContext(rules: linter.allRules, color: useColor)
                let text = spec.format.reporter.render(result, context: context)
                if let file {
                    do { try AtomicWriter.write(Data(text.utf8), to: file) } catch {
                        throw .unwritable(file: file, reason: error.localizedDescription)
                    }
                } else {
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            }
        }

        /// Exits after the reports are written (a malformed input makes the run's status 2).
        static func exitWith(_ code: Int32) -> Never {
            Foundation.exit(code)
        }
    }
}

/// Reads the linted files at a git ref and lints them, for `--new-only`.
enum BaseRevision {
    static func lint(_ current: Linter.Result, ref: String, linter: Linter) throws(LintError) -> Linter.Result {
        guard let prefix = git(["rev-parse", "--show-prefix"]) else {
            throw .baseUnavailable(ref: ref, reason: "not inside a git repository")
        }
        guard git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"]) != nil else {
            throw .baseUnavailable(ref: ref, reason: "no such commit")
        }
        var sources: [ManifestSource] = []
        for file in current.files where file != "<stdin>" {
            let relative =
                (prefix.trimmingCharacters(in: .whitespacesAndNewlines) + (file.hasPrefix("./") ? String(file.dropFirst(2)) : file))
            // A file that does not exist at the base has no old findings.
            if let text = git(["show", "\(ref):\((relative as NSString).standardizingPath)"]) {
                sources.append(ManifestSource(file: file, text: text))
            }
        }
        return linter.lint(sources: sources)
    }

    /// Runs git and returns its standard output, or nil when it fails.
    static func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
