import Foundation
import KomplyCore

/// What a service does.
public enum Role: String, Sendable, CaseIterable {
    case web, api, worker, database, cache, queue, proxy, batch
}

/// What runs inside the image.
public enum Runtime: String, Sendable, CaseIterable {
    case jvm, node, python, go, ruby, php, dotnet, `static`, native, unknown
}

/// One decision and why it was made.
public struct Decision<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The decided value.
    public var value: Value
    /// The reason, as a short phrase (`image postgres is a database`).
    public var reason: String
}

/// How komply classified a service.
public struct Classification: Sendable, Equatable {
    /// Workload kind.
    public var kind: Decision<WorkloadKind>
    /// Role.
    public var role: Decision<Role>
    /// Runtime.
    public var runtime: Decision<Runtime>
    /// The image profile, when the image is a known one.
    public var profile: ImageProfile?
    /// The image komply's image knowledge was looked up for and why: compose's `image`, or for a `build:`
    /// service the external image at the root of the built stage's `FROM` chain in its Dockerfile.
    public var image: Decision<String>?
    /// The `USER` the built stage of the service's Dockerfile runs as, with where it is written.
    public var dockerfileUser: Decision<String>?
    /// GPUs the service reserves (`deploy.resources.reservations.devices` with capability `gpu`), nil for none.
    public var gpus: Int?
}

/// Classifies services by `x-komply` overrides first, then image knowledge, then what the service declares.
public enum Classifier {
    /// The classification of `service` of `project` (whose repository the build context is read from, confined to
    /// it) given its typed `x-komply` options.
    public static func classify(_ service: ComposeService, options: ServiceOptions, project: ComposeProject? = nil) -> Classification {
        let built = project.flatMap { Dockerfile.of(service, project: $0) }
        let stage = built.flatMap { $0.dockerfile.built(target: service.build?["target"]?.stringValue) }
        let image = knowledgeImage(service, built: built.map(\.file), stage: stage)
        let profile = ImageKnowledge.profile(for: image?.value)
        let runtime = runtimeDecision(service, options, profile, image, stage, project)
        let role = roleDecision(service, options, profile, built: image != nil && image?.value != service.image)
        let kind = kindDecision(service, options, profile, role: role.value)
        let user = stage.flatMap { stage in
            stage.user.map { Decision(value: $0, reason: "USER in \(built!.file) (stage \(stage.stage ?? "final"))") }
        }
        return Classification(
            kind: kind, role: role, runtime: runtime, profile: profile, image: image, dockerfileUser: user, gpus: gpuCount(service))
    }

    /// GPUs a service reserves or limits itself to (`deploy.resources.*.devices` with capability `gpu`), nil for none.
    public static func gpuCount(_ service: ComposeService) -> Int? {
        let devices = (service.deploy?.reservations?.devices ?? []) + (service.deploy?.limits?.devices ?? [])
        guard let gpu = devices.first(where: { $0.capabilities.contains("gpu") }) else { return nil }
        if let count = gpu.count, count > 0 { return count }
        if !gpu.deviceIDs.isEmpty { return gpu.deviceIDs.count }
        return 1
    }
}

private extension Classifier {
    static func kindDecision(_ service: ComposeService, _ options: ServiceOptions, _ profile: ImageProfile?, role: Role)
        -> Decision<WorkloadKind>
    {
        if let kind = options.kind { return Decision(value: kind, reason: "x-komply.kind") }
        if options.schedule != nil { return Decision(value: .cronJob, reason: "x-komply.schedule is set") }
        if service.deploy?.mode == "global" { return Decision(value: .daemonSet, reason: "deploy.mode is global (one per node)") }
        let namedVolumes = service.volumes.filter { $0.type == "volume" && $0.source != nil }
        if let profile, profile.stateful {
            if !namedVolumes.isEmpty {
                return Decision(value: .statefulSet, reason: "image \(profile.family) keeps state in a named volume")
            }
            return Decision(
                value: .statefulSet,
                reason: "image \(profile.family) is stateful; its data path \(profile.dataPath ?? "") gets a volume claim")
        }
        if profile?.role == .cache, !namedVolumes.isEmpty || persistenceFlags(service) {
            return Decision(value: .statefulSet, reason: "cache \(profile?.family ?? "") with persistence")
        }
        if service.restart == "no" && service.ports.isEmpty && service.expose.isEmpty, role == .batch || role == .worker {
            return Decision(value: .job, reason: "restart: \"no\" and no ports: runs once")
        }
        return Decision(value: .deployment, reason: "stateless service")
    }

    /// The image image knowledge applies to: for a `build:` service with a readable Dockerfile, the root of the built
    /// stage's `FROM` chain (`scratch` has no knowledge); otherwise compose's `image`.
    static func knowledgeImage(_ service: ComposeService, built file: String?, stage: Dockerfile.BuiltImage?) -> Decision<String>? {
        if let stage, let file, !stage.base.isEmpty, !stage.base.contains("$") {
            let named = stage.stage.map { " (stage \($0))" } ?? ""
            return Decision(value: stage.base, reason: "FROM \(stage.base) in \(file):\(stage.line)\(named)")
        }
        return service.image.map { Decision(value: $0, reason: "image \($0)") }
    }

    /// The runtime a build context's manifest files reveal (`pom.xml` → jvm, `package.json` → node…).
    static func buildContextRuntime(_ directory: String) -> Decision<Runtime>? {
        let markers: [(String, Runtime)] = [
            ("pom.xml", .jvm), ("build.gradle", .jvm), ("build.gradle.kts", .jvm), ("package.json", .node),
            ("requirements.txt", .python), ("pyproject.toml", .python), ("Pipfile", .python), ("go.mod", .go),
            ("Gemfile", .ruby), ("composer.json", .php), ("Cargo.toml", .native),
        ]
        for (file, runtime) in markers where FileManager.default.fileExists(atPath: directory + "/" + file) {
            return Decision(value: runtime, reason: "build context has \(file)")
        }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: directory), names.contains(where: { $0.hasSuffix(".csproj") }) {
            return Decision(value: .dotnet, reason: "build context has a .csproj")
        }
        return nil
    }

    /// The build context's folder; with a repository root, only when it resolves inside it.
    static func buildContextDirectory(_ context: String, _ projectDirectory: String, _ root: String?) -> String? {
        guard let root else { return projectDirectory + "/" + context }
        return try? RepositoryRoot(root).resolve(context, from: projectDirectory, at: nil)
    }

    static func persistenceFlags(_ service: ComposeService) -> Bool {
        let words = (service.command ?? []).joined(separator: " ")
        return words.contains("--appendonly yes") || words.contains("--save ")
    }

    static func roleDecision(_ service: ComposeService, _ options: ServiceOptions, _ profile: ImageProfile?, built: Bool)
        -> Decision<Role>
    {
        if let role = options.role { return Decision(value: role, reason: "x-komply.role") }
        let name = service.name.lowercased()
        // An app built on a web server's image (a React build `FROM nginx`) is what its name says before it is a proxy.
        let weak: Set<Role> = built ? [.api, .worker, .web, .proxy] : [.api, .worker]
        if let profile, !weak.contains(profile.role) {
            return Decision(value: profile.role, reason: "image \(profile.family) is a \(profile.role.rawValue)")
        }
        let nameRoles: [(String, Role)] = [
            ("worker", .worker), ("consumer", .worker), ("scheduler", .worker), ("cron", .batch), ("migrat", .batch),
            ("job", .batch), ("proxy", .proxy), ("gateway", .proxy), ("frontend", .web), ("web", .web), ("ui", .web),
            ("client", .web), ("api", .api), ("backend", .api), ("server", .api), ("db", .database), ("cache", .cache),
        ]
        for (fragment, role) in nameRoles where name.contains(fragment) {
            return Decision(value: role, reason: "service name \"\(service.name)\" suggests \(role.rawValue)")
        }
        if service.ports.isEmpty && service.expose.isEmpty && profile?.defaultPort == nil {
            return Decision(value: .worker, reason: "no ports: a background worker")
        }
        if let profile { return Decision(value: profile.role, reason: "image \(profile.family) runs \(profile.role.rawValue)s") }
        return Decision(value: .api, reason: "serves ports and is not a known web server")
    }

    static func runtimeDecision(
        _ service: ComposeService, _ options: ServiceOptions, _ profile: ImageProfile?, _ image: Decision<String>?,
        _ stage: Dockerfile.BuiltImage?, _ project: ComposeProject?
    ) -> Decision<Runtime> {
        if let runtime = options.runtime { return Decision(value: runtime, reason: "x-komply.runtime") }
        if let profile, let image {
            let via = image.value == service.image ? "" : " (\(image.reason))"
            return Decision(value: profile.runtime, reason: "image \(profile.family)\(via)")
        }
        // A binary copied into `scratch` or distroless runs what its build stage compiled.
        if let stage, stage.base == "scratch" || stage.base.hasPrefix("gcr.io/distroless/") {
            for base in stage.otherBases {
                if let builder = ImageKnowledge.profile(for: base), [.go, .native].contains(builder.runtime) {
                    return Decision(value: builder.runtime, reason: "a binary built FROM \(base) runs on \(stage.base)")
                }
            }
        }
        let argv = (service.entrypoint ?? []) + (service.command ?? [])
        let first = argv.first.map { String($0.split(separator: "/").last ?? "") } ?? ""
        let commandRuntimes: [(String, Runtime)] = [
            ("java", .jvm), ("node", .node), ("npm", .node), ("yarn", .node), ("python", .python), ("python3", .python),
            ("gunicorn", .python), ("uvicorn", .python), ("flask", .python), ("ruby", .ruby), ("bundle", .ruby),
            ("rails", .ruby), ("php", .php), ("php-fpm", .php), ("dotnet", .dotnet),
        ]
        for (command, runtime) in commandRuntimes where first == command {
            return Decision(value: runtime, reason: "command starts with \(command)")
        }
        let keys = Set(service.environment.keys)
        if !keys.isDisjoint(with: ["JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"]) {
            return Decision(value: .jvm, reason: "JAVA_OPTS in environment")
        }
        if keys.contains("NODE_ENV") || keys.contains("NODE_OPTIONS") { return Decision(value: .node, reason: "NODE_ENV in environment") }
        if keys.contains(where: { $0.hasPrefix("PYTHON") || $0 == "FLASK_APP" || $0.hasPrefix("DJANGO") }) {
            return Decision(value: .python, reason: "Python settings in environment")
        }
        if keys.contains("GOMAXPROCS") { return Decision(value: .go, reason: "GOMAXPROCS in environment") }
        if keys.contains("ASPNETCORE_URLS") || keys.contains("ASPNETCORE_ENVIRONMENT") {
            return Decision(value: .dotnet, reason: "ASP.NET settings in environment")
        }
        if case .string(let context)? = service.build?["context"], let projectDirectory = project?.projectDirectory,
            let directory = buildContextDirectory(context, projectDirectory, project?.repositoryRoot),
            let runtime = buildContextRuntime(directory)
        {
            return runtime
        }
        return Decision(value: .unknown, reason: "nothing identifies the runtime")
    }
}
