import Foundation
import KomplyCore
import KomplyGenerate
import KomplyLint

/// What one `komply generate` run did, per app: `--format json` (shape in docs/generate.md).
public struct GenerateSummary: Sendable, Equatable {
    /// What the run did with the files.
    public enum Mode: String, Sendable {
        case write
        case check
        case dryRun = "dry-run"
    }

    /// One app's files and diagnostics.
    public struct App: Sendable, Equatable {
        /// The app (its output folder name).
        public var name: String
        /// Files written (or, with check and dry-run, that a write would write), as `<output>/<app>/…`.
        public var written: [String]
        /// komply-owned files removed (or that a write would remove), as `<output>/<app>/…`.
        public var removed: [String]
        /// The generator's diagnostics whose position is in this app's sources.
        public var warnings: [Diagnostic]

        /// Creates an app's entry.
        public init(name: String, written: [String], removed: [String], warnings: [Diagnostic]) {
            self.name = name
            self.written = written
            self.removed = removed
            self.warnings = warnings
        }
    }

    /// write, check or dry-run.
    public var mode: Mode
    /// The output folder as given or configured.
    public var output: String
    /// The apps generated, by name.
    public var apps: [App]
    /// Apps that could not be read or generated.
    public var failures: [GeneratePipeline.AppFailure]
    /// Diagnostics of no single app.
    public var warnings: [Diagnostic]
    /// What LLM refinement did, when a provider was set.
    public var refinement: RefinementReport?

    /// Creates a summary.
    public init(mode: Mode, output: String, apps: [App], failures: [GeneratePipeline.AppFailure], warnings: [Diagnostic]) {
        self.mode = mode
        self.output = output
        self.apps = apps
        self.failures = failures
        self.warnings = warnings
    }

    /// The summary of `pipeline` after a write (`changes`), or of what a write would change (`drift`).
    public init(_ pipeline: GeneratePipeline, mode: Mode, changes: OutputTree.Changes? = nil, drift: OutputTree.Drift? = nil) {
        let folder = pipeline.plan.outputDirectory
        var written = changes?.written ?? []
        var removed = changes?.removed ?? []
        if let drift {
            let generated = Set(pipeline.result.files.map(\.path))
            written = drift.changes.map(\.path).filter(generated.contains)
            removed = drift.changes.map(\.path).filter { !generated.contains($0) }
        }
        let (byApp, unattributed) = Self.attribute(pipeline.result.notices, to: pipeline.projects)
        func under(_ app: String, _ paths: [String]) -> [String] {
            paths.filter { $0.hasPrefix(app + "/") }.sorted().map { "\(folder)/\($0)" }
        }
        let names = pipeline.projects.map { Naming.dnsLabel($0.name) }.sorted()
        self.init(
            mode: mode, output: folder,
            apps: names.map { App(name: $0, written: under($0, written), removed: under($0, removed), warnings: byApp[$0] ?? []) },
            failures: pipeline.failures, warnings: unattributed)
        refinement = pipeline.refinement
    }

    /// `{"version":1,"mode","output","apps":[{"app","written","removed","warnings"}],"failures","warnings"}`, and
    /// `"refinement"` when a provider was set.
    public var json: String {
        JSONEmitter.emit(
            .members([
                ("version", .int(1)), ("mode", .string(mode.rawValue)), ("output", .string(output)),
                (
                    "apps",
                    .array(
                        apps.map { app in
                            .members([
                                ("app", .string(app.name)), ("written", .array(app.written.map(ValueTree.string))),
                                ("removed", .array(app.removed.map(ValueTree.string))), ("warnings", .array(app.warnings.map(\.jsonValue))),
                            ])
                        })
                ),
                ("failures", .array(failures.map { .members([("app", .string($0.app)), ("message", .string($0.message))]) })),
                ("warnings", .array(warnings.map(\.jsonValue))), ("refinement", refinement?.jsonValue),
            ]))
    }

    /// Every object each app's overlay for `environment` renders (namespace, replicas, images and patches applied,
    /// the Namespace included) as one multi-document YAML stream for `kubectl apply -f -`, each app introduced by
    /// a `# Source:` comment naming its overlay; nil names the first app whose overlay cannot be rendered.
    public static func objectStream(
        _ files: [GeneratedFile], under folder: String, environment: String
    ) -> (stream: String, unrendered: String?) {
        let texts = Dictionary(files.map { ("\(folder)/\($0.path)", $0.contents) }, uniquingKeysWith: { $1 })
        let apps = Set(files.compactMap { $0.path.split(separator: "/").first.map(String.init) }).sorted()
        var out = ""
        for app in apps {
            let overlay = "\(folder)/\(app)/overlays/\(Naming.dnsLabel(environment))/kustomization.yaml"
            guard let objects = OverlayLint.renderedObjects(of: overlay, texts: texts) else { return (out, overlay) }
            out += "---\n# Source: \(overlay)\n" + YAMLEmitter.emit(documents: objects)
        }
        return (out, nil)
    }

    /// Every object of every app's base as one multi-document YAML stream for `kubectl apply -f -`, each
    /// file introduced by a `# Source:` comment; kustomizations, overlays, Argo CD Applications and SECRETS.md
    /// are left out.
    public static func objectStream(_ files: [GeneratedFile], under folder: String) -> String {
        var out = ""
        for file in files where isBaseObjectFile(file.path) {
            let body = file.contents.split(separator: "\n", omittingEmptySubsequences: false)
                .drop { $0.hasPrefix("# \(OutputTree.ownershipMarker)") }.joined(separator: "\n")
            out += "---\n# Source: \(folder)/\(file.path)\n" + body
            if !out.hasSuffix("\n") { out += "\n" }
        }
        return out
    }
}

private extension GenerateSummary {
    /// `<app>/base/<name>.yaml`, not the kustomization.
    static func isBaseObjectFile(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return parts.count == 3 && parts[1] == "base" && parts[2].hasSuffix(".yaml") && parts[2] != "kustomization.yaml"
    }

    /// The notices by app (the one whose compose files or folder holds the position), and those of no app.
    static func attribute(_ notices: [Diagnostic], to projects: [ComposeProject]) -> ([String: [Diagnostic]], [Diagnostic]) {
        let here = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String { Paths.normalized(Paths.join(here, path)) }
        var byApp: [String: [Diagnostic]] = [:]
        var rest: [Diagnostic] = []
        for notice in notices {
            guard let file = notice.location.map({ absolute($0.file) }),
                let project = projects.first(where: { project in
                    project.sourceFiles.map(absolute).contains(file)
                        || project.projectDirectory.map { Paths.relative(file, to: Paths.normalized($0)) != nil } == true
                })
            else {
                rest.append(notice)
                continue
            }
            byApp[Naming.dnsLabel(project.name), default: []].append(notice)
        }
        return (byApp, rest)
    }
}
