import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPipeline

/// What `komply generate` prints for a machine (`--format json`) and for `kubectl apply -f -`
/// (`--dry-run --format yaml`); the JSON shape is documented in docs/generate.md.
enum GenerateReport {
    /// `{"version":1,"mode","output","apps":[{"app","written","removed","warnings"}],"failures","warnings"}`
    /// after a write (`changes`), or what a write would change (`drift`) for `check` and `dry-run`.
    static func json(_ pipeline: GeneratePipeline, mode: String, changes: OutputTree.Changes? = nil, drift: OutputTree.Drift? = nil)
        -> String
    {
        let folder = pipeline.plan.outputDirectory
        var written = changes?.written ?? []
        var removed = changes?.removed ?? []
        if let drift {
            let generated = Set(pipeline.result.files.map(\.path))
            written = drift.changes.map(\.path).filter(generated.contains)
            removed = drift.changes.map(\.path).filter { !generated.contains($0) }
        }
        let (byApp, unattributed) = attribute(pipeline.result.notices, to: pipeline.projects)
        let apps = pipeline.projects.map { Naming.dnsLabel($0.name) }.sorted()
        func under(_ app: String, _ paths: [String]) -> ValueTree {
            .array(paths.filter { $0.hasPrefix(app + "/") }.sorted().map { .string("\(folder)/\($0)") })
        }
        let tree: ValueTree = .members([
            ("version", .int(1)), ("mode", .string(mode)), ("output", .string(folder)),
            (
                "apps",
                .array(
                    apps.map { app in
                        .members([
                            ("app", .string(app)), ("written", under(app, written)), ("removed", under(app, removed)),
                            ("warnings", .array((byApp[app] ?? []).map(\.jsonValue))),
                        ])
                    })
            ),
            (
                "failures",
                .array(pipeline.failures.map { .members([("app", .string($0.app)), ("message", .string($0.message))]) })
            ),
            ("warnings", .array(unattributed.map(\.jsonValue))),
        ])
        return JSONEmitter.emit(tree)
    }

    /// Every object of every app's base as one multi-document YAML stream, each file introduced by a
    /// `# Source:` comment; kustomizations, overlays, Argo CD Applications and SECRETS.md are left out.
    static func objectStream(_ files: [GeneratedFile], under folder: String) -> String {
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

private extension GenerateReport {
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
