import Foundation
import KomplyCore

// Development-pattern mounts: source code bind-mounted for hot reload and anonymous volumes that keep image folders
// visible under it. In a cluster the image must carry the code, so both are left out with a warning at their line.
extension ServiceBuilder {
    /// Leaves out the mount at `index` when it is a development pattern, warning why at its compose line; returns
    /// whether it was left out.
    mutating func leavesOutDevelopmentMount(_ mount: VolumeMount, index: Int) -> Bool {
        let shown: String
        let why: String
        if mount.type == "bind", let source = mount.source, let reason = developmentSource(source) {
            shown = "bind mount \(source):\(mount.target)"
            why =
                "it mounts source code for hot reload (\(reason)); a pod runs the code its image carries, so it is left out: "
                + "bake the code into the image (COPY it in the Dockerfile)"
        } else if mount.type == "volume", let reason = developmentVolume(mount.target) {
            // Docker fills an empty volume from the image; an emptyDir or a new claim starts empty and hides the image's files.
            shown = mount.source.map { "volume \($0):\(mount.target)" } ?? "anonymous volume \(mount.target)"
            why =
                "it keeps the image's files visible (\(reason)); in a pod it would be an empty "
                + (mount.source == nil ? "emptyDir" : "claim") + " hiding them, so it is left out: bake the dependencies into the image"
        } else {
            return false
        }
        output.notices.append(
            Diagnostic(
                .warning, "service \(service.name): \(shown) is a development pattern: \(why)",
                at: service.komply.positions["volumes[\(index)]"] ?? location))
        return true
    }

    /// `path` (relative to `base`) resolved inside the project's repository root with symbolic links
    /// followed; nil when it leads outside (the reader refused such paths already, so this is the
    /// second lock) or when the project has no root.
    func confinedPath(_ path: String, from base: String) -> String? {
        guard let root = context.project.repositoryRoot else { return nil }
        return try? RepositoryRoot(root).resolve(path, from: base, at: nil)
    }
}

private extension ServiceBuilder {
    /// Files whose presence marks a folder as a project's source (as the classifier reads build contexts).
    static let projectManifests: Set<String> = [
        "package.json", "go.mod", "requirements.txt", "pyproject.toml", "Pipfile", "setup.py", "manage.py", "Gemfile",
        "composer.json", "pom.xml", "build.gradle", "build.gradle.kts", "Cargo.toml", "Dockerfile", "mix.exs",
    ]

    /// Dependency lock files, mounted beside a project manifest.
    static let lockFiles: Set<String> = [
        "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "go.sum", "Cargo.lock", "poetry.lock", "Gemfile.lock", "composer.lock",
        "Pipfile.lock",
    ]

    /// Extensions of source-code files.
    static let sourceExtensions: Set<String> = [
        "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "go", "rb", "php", "java", "kt", "rs", "cs", "csproj", "ex", "exs",
    ]

    /// Folder names that hold a project's installed dependencies or build output.
    static let dependencyFolders: Set<String> = [
        "node_modules", "bower_components", "vendor", ".venv", "venv", "__pycache__", ".next", ".nuxt",
    ]

    /// Why a relative bind mount of `source` is source code mounted for development, or nil (absolute host paths are
    /// the host-path rules' business): it is the service's build context or holds it; it lies inside a build context
    /// of its own (not the project folder) and is not in the repository; it is a folder of source code anywhere (a
    /// project manifest or mostly source files at its top); or it is a single source file, manifest or lock file inside
    /// the build context (elsewhere a `.js` file is as likely a config file). Existing config files stay ConfigMaps.
    func developmentSource(_ source: String) -> String? {
        guard !Paths.isHostPath(source), let projectDirectory = context.project.projectDirectory else { return nil }
        let path = Paths.normalized(projectDirectory + "/" + source)
        var contextPath: String?
        if case .string(let buildContext)? = service.build?["context"], !buildContext.contains("://"), !buildContext.hasPrefix("git@") {
            contextPath = Paths.normalized(projectDirectory + "/" + buildContext)
        }
        if let contextPath, path == contextPath { return "\(source) is the service's build context" }
        if let contextPath, contextPath.hasPrefix(path + "/") { return "\(source) holds the service's build context" }
        // A build context of its own (not the project folder, which holds config folders too) is what the image is built
        // from: a path inside it that is not in the repository is code the image carries, not configuration.
        let inOwnContext = contextPath.map { $0 != Paths.normalized(projectDirectory) && path.hasPrefix($0 + "/") } ?? false
        var isDirectory: ObjCBool = false
        guard let resolved = confinedPath(source, from: projectDirectory),
            FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
        else {
            return inOwnContext ? "\(source) lies inside the service's build context and is not in the repository" : nil
        }
        if !isDirectory.boolValue {
            let inContext = contextPath.map { path.hasPrefix($0 + "/") } ?? false
            let name = (source as NSString).lastPathComponent
            let isCode =
                Self.sourceExtensions.contains((name as NSString).pathExtension) || Self.projectManifests.contains(name)
                || Self.lockFiles.contains(name)
            return inContext && isCode ? "\(name) is a source file of the service's build context" : nil
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: resolved)) ?? []
        if let manifest = names.sorted().first(where: { Self.projectManifests.contains($0) || $0.hasSuffix(".csproj") }) {
            return "\(source) holds \(manifest)"
        }
        let code = names.filter { Self.sourceExtensions.contains(($0 as NSString).pathExtension) }.sorted()
        // A folder that is mostly source files; a config folder with one helper script is still configuration.
        if !code.isEmpty, code.count * 2 > names.filter({ !$0.hasPrefix(".") }).count {
            return "\(source) holds source files such as \(code[0])"
        }
        return nil
    }

    /// Why a volume (anonymous or named) at `target` is a development pattern, or nil: it lies under a bind mount of the
    /// service (`.:/app` with `/app/node_modules`), or it is a dependency folder (`node_modules`, `vendor`…).
    func developmentVolume(_ target: String) -> String? {
        let path = Paths.normalized(target)
        for mount in service.volumes where mount.type == "bind" {
            let over = Paths.normalized(mount.target)
            if path.hasPrefix(over == "/" ? "/" : over + "/") { return "it lies under the bind mount at \(mount.target)" }
        }
        let last = (path as NSString).lastPathComponent
        return Self.dependencyFolders.contains(last) ? "\(last) holds the dependencies the image installed" : nil
    }
}
