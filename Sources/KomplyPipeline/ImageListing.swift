import Foundation
import KomplyCore
import KomplyGenerate
import KomplySources

/// What `komply images` lists: every `build:`-only service's build context, Dockerfile and the image
/// reference the generated manifests use (base and each environment's overlay), so CI builds and pushes
/// exactly what will be deployed.
public struct ImageListing: Sendable {
    /// One image komply names itself.
    public struct Image: Sendable, Equatable {
        /// The app (its output folder name).
        public var app: String
        /// The service as the compose file names it.
        public var service: String
        /// The build context, relative to the current folder when inside it.
        public var context: String
        /// The Dockerfile, relative to the current folder when inside it; `(inline)` for `dockerfile_inline`.
        public var dockerfile: String
        /// `build.target`, when set.
        public var target: String?
        /// The reference the base manifests use: `<registry>/<app>/<service>:src-<digest>`.
        public var image: String
        /// The reference each environment's overlay renders, by environment name, in komply.yaml's order.
        public var environments: [(name: String, image: String)]
        /// The service's `build:` in its compose file.
        public var location: SourceLocation?

        /// Creates an entry.
        public init(
            app: String, service: String, context: String, dockerfile: String, target: String?, image: String,
            environments: [(name: String, image: String)], location: SourceLocation?
        ) {
            self.app = app
            self.service = service
            self.context = context
            self.dockerfile = dockerfile
            self.target = target
            self.image = image
            self.environments = environments
            self.location = location
        }

        public static func == (lhs: Image, rhs: Image) -> Bool {
            lhs.app == rhs.app && lhs.service == rhs.service && lhs.context == rhs.context && lhs.dockerfile == rhs.dockerfile
                && lhs.target == rhs.target && lhs.image == rhs.image && lhs.location == rhs.location
                && lhs.environments.map(\.name) == rhs.environments.map(\.name)
                && lhs.environments.map(\.image) == rhs.environments.map(\.image)
        }
    }

    /// The images, by app then service.
    public var images: [Image]
    /// The registry the images are named under (komply.yaml's `registry` or `--registry`); nil when none.
    public var registry: String?
    /// Warnings for the user (no registry configured), each with a position where one helps.
    public var warnings: [Diagnostic]
    /// Apps that could not be read; the others are listed.
    public var failures: [GeneratePipeline.AppFailure]

    /// Creates a listing.
    public init(images: [Image], registry: String?, warnings: [Diagnostic], failures: [GeneratePipeline.AppFailure]) {
        self.images = images
        self.registry = registry
        self.warnings = warnings
        self.failures = failures
    }

    /// Reads the apps of `request` (komply.yaml's sources when it names none) and lists their built images.
    public static func run(_ request: GenerateRequest) throws -> ImageListing {
        let plan = try GeneratePlan.make(request)
        let (projects, failures) = try GeneratePipeline.readApps(plan.sourceRequest)
        let tags = GeneratePipeline.buildTags(projects)
        let registry = plan.settings.registry
        let environments = plan.settings.environments.isEmpty ? [EnvironmentConfig(name: "default")] : plan.settings.environments
        let here = FileManager.default.currentDirectoryPath
        var images: [Image] = []
        var warnings: [Diagnostic] = []
        for project in projects.sorted(by: { Naming.dnsLabel($0.name) < Naming.dnsLabel($1.name) }) {
            let app = Naming.dnsLabel(project.name)
            for service in project.services.sorted(by: { $0.name < $1.name }) where service.image == nil {
                guard let build = service.build, case .string(let context)? = build["context"] else { continue }
                let directory = project.projectDirectory ?? here
                let contextPath = context.contains("://") ? context : Paths.normalized(Paths.join(directory, context))
                let dockerfile: String
                if build["dockerfile_inline"] != nil {
                    dockerfile = "(inline)"
                } else if case .string(let name)? = build["dockerfile"] {
                    dockerfile = context.contains("://") ? name : shown(Paths.normalized(Paths.join(contextPath, name)), from: here)
                } else {
                    dockerfile = context.contains("://") ? "Dockerfile" : shown(Paths.join(contextPath, "Dockerfile"), from: here)
                }
                var target: String?
                if case .string(let value)? = build["target"] { target = value }
                let tag = tags[BuildImage.tagKey(app: project.name, service: service.name)] ?? "src-unknown"
                let image = "\(BuildImage.repository(registry: registry, app: app, service: service.name)):\(tag)"
                let location = service.komply.positions["build"] ?? service.komply.source
                images.append(
                    Image(
                        app: app, service: service.name, context: context.contains("://") ? context : shown(contextPath, from: here),
                        dockerfile: dockerfile, target: target, image: image,
                        environments: environments.map { ($0.name, BuildImage.reference(image, in: $0)) }, location: location))
                if tag == "src-missing" {
                    warnings.append(
                        Diagnostic(
                            .warning,
                            "\(app)/\(service.name): build context \(context) is not a folder inside the repository, so its image is tagged src-missing and cannot be built; fix build.context",
                            at: location))
                }
                if registry == nil {
                    warnings.append(
                        Diagnostic(
                            .warning,
                            "\(app)/\(service.name): no registry is configured, so \(image) resolves to Docker Hub (docker.io/\(app)/\(Naming.dnsLabel(service.name))), where anyone can register \"\(app)\"; set registry: in komply.yaml (or pass --registry)",
                            at: location))
                }
            }
        }
        return ImageListing(images: images, registry: registry, warnings: warnings, failures: failures)
    }
}

private extension ImageListing {
    /// `path` relative to `folder` when inside it (`.` for the folder itself), else as it is.
    static func shown(_ path: String, from folder: String) -> String {
        guard let relative = Paths.relative(path, to: Paths.normalized(folder)) else { return path }
        return relative.isEmpty ? "." : relative
    }
}
