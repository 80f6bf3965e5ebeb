import KomplyCore

/// The generator's part of `komply.yaml` (`apiVersion: komply.dev/v1`, `kind: Config`), validated and
/// with every default applied. Reference: docs/configuration-generate.md; schema: docs/komply.schema.json.
public struct GenerateConfig: Sendable, Equatable {
    /// Glob patterns of compose files, folders and inspect snapshots, relative to the config's folder.
    public var sources: [String] = ["."]
    /// The output folder, relative to the config's folder.
    public var output: String = "deploy"
    /// Registry for `build:`-only services: `<registry>/<app>/<service>`.
    public var registry: String?
    /// `imagePullSecrets`: Secrets every generated pod spec names for pulling images from a private registry.
    public var imagePullSecrets: [String] = []
    /// How Secrets are provided.
    public var secrets = SecretsConfig()
    /// The environments (overlays); empty means one environment named `default`.
    public var environments: [EnvironmentConfig] = []
    /// Argo CD settings; nil when the file has no `argocd` section (defaults apply).
    public var argocd: ArgoCDConfig?
    /// Defaults for what the sources leave open.
    public var defaults = DefaultsConfig()
    /// The config file (the whole document); nil for a config that was not read from a file.
    public var location: SourceLocation?
    /// Where each value was written, keyed by dotted path (`registry`, `sources.0`, `environments.1`,
    /// `environments.1.replicas`), so later stages can point at the line that caused a choice.
    public var locations: [String: SourceLocation] = [:]

    /// The built-in defaults (what an absent `komply.yaml` means).
    public init() {}

    /// The folder the config's relative paths start from: the config file's folder, or `.`.
    public var directory: String {
        guard let file = location?.file, let slash = file.lastIndex(of: "/") else { return "." }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }

    /// The environments to generate: the configured ones, or one named `default`.
    public var effectiveEnvironments: [EnvironmentConfig] {
        environments.isEmpty ? [EnvironmentConfig(name: EnvironmentConfig.defaultName)] : environments
    }

    /// The namespace `app` gets in `environment` (see `EnvironmentConfig.namespace(app:defaultTemplate:)`).
    public func namespace(for environment: EnvironmentConfig, app: String) -> String {
        environment.namespace(app: app, defaultTemplate: defaults.namespace)
    }
}

/// The `secrets` section: which mechanism turns komply's Secret references into Secrets.
public struct SecretsConfig: Sendable, Equatable {
    /// The provider (`secrets.provider`, with `secrets.externalSecrets` for External Secrets).
    public var provider: SecretsProvider

    /// Creates a section; the default is `.placeholder`.
    public init(provider: SecretsProvider = .placeholder) {
        self.provider = provider
    }
}

/// One entry of `environments`: an overlay and its adjustments.
public struct EnvironmentConfig: Sendable, Equatable {
    /// The name of the environment komply assumes when none is configured.
    public static let defaultName = "default"

    /// The overlay's name (a DNS label).
    public var name: String
    /// Namespace template (`{app}`, `{env}`); nil uses `defaults.namespace`.
    public var namespace: String?
    /// Replicas for stateless workloads.
    public var replicas: Int?
    /// Multiplier for CPU and memory requests and limits, in (0, 16].
    public var resourceScale: Double?
    /// Registry every image is rewritten to.
    public var imageRegistry: String?
    /// Tag every image is set to.
    public var imageTag: String?
    /// The Argo CD destination server for this environment.
    public var cluster: String?

    /// Creates an environment.
    public init(
        name: String, namespace: String? = nil, replicas: Int? = nil, resourceScale: Double? = nil,
        imageRegistry: String? = nil, imageTag: String? = nil, cluster: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.replicas = replicas
        self.resourceScale = resourceScale
        self.imageRegistry = imageRegistry
        self.imageTag = imageTag
        self.cluster = cluster
    }

    /// The namespace `app` gets here: this environment's template, else `defaultTemplate` (`defaults.namespace`),
    /// suffixed with `-<env>` for a named environment when that template does not mention `{env}`, so
    /// environments sharing a cluster never share a namespace; `{app}` and `{env}` are replaced.
    public func namespace(app: String, defaultTemplate: String) -> String {
        var template = namespace ?? defaultTemplate
        if namespace == nil, name != Self.defaultName, !template.contains("{env}") {
            template += "-{env}"
        }
        return template.replacingOccurrences(of: "{app}", with: app).replacingOccurrences(of: "{env}", with: name)
    }
}

/// The `argocd` section.
public struct ArgoCDConfig: Sendable, Equatable {
    /// How Argo CD syncs the Applications.
    public struct SyncPolicy: Sendable, Equatable {
        /// Automated sync; false leaves syncing to people.
        public var automated: Bool
        /// With automated sync, delete objects that left git.
        public var prune: Bool
        /// With automated sync, revert changes made in the cluster.
        public var selfHeal: Bool

        /// Creates a policy; the default is automated with prune and self-heal.
        public init(automated: Bool = true, prune: Bool = true, selfHeal: Bool = true) {
            self.automated = automated
            self.prune = prune
            self.selfHeal = selfHeal
        }
    }

    /// The repository Argo CD syncs; nil takes the git remote `origin`.
    public var repoURL: String?
    /// The revision Argo CD follows.
    public var targetRevision: String
    /// The Argo CD project.
    public var project: String
    /// The destination for environments without `cluster`.
    public var destinationServer: String
    /// One ApplicationSet per app instead of an Application per environment.
    public var applicationSet: Bool
    /// The sync policy.
    public var syncPolicy: SyncPolicy

    /// Creates a section with Argo CD's usual defaults.
    public init(
        repoURL: String? = nil, targetRevision: String = "HEAD", project: String = "default",
        destinationServer: String = "https://kubernetes.default.svc", applicationSet: Bool = false,
        syncPolicy: SyncPolicy = SyncPolicy()
    ) {
        self.repoURL = repoURL
        self.targetRevision = targetRevision
        self.project = project
        self.destinationServer = destinationServer
        self.applicationSet = applicationSet
        self.syncPolicy = syncPolicy
    }
}

/// The `defaults` section.
public struct DefaultsConfig: Sendable, Equatable {
    /// Namespace template: `{app}` and `{env}` are replaced (see `GenerateConfig.namespace(for:app:)`).
    public var namespace: String
    /// Numeric user id for images komply has no knowledge of.
    public var uid: Int
    /// Size of persistent volume claims without an `x-komply` size.
    public var storageSize: String
    /// Storage class for claims; nil uses the cluster's default class.
    public var storageClass: String?
    /// Where the cluster's DNS answers: every workload's egress allows it.
    public var dns = DNSTarget()

    /// Creates a section with the built-in defaults.
    public init(namespace: String = "{app}", uid: Int = 10001, storageSize: String = "1Gi", storageClass: String? = nil) {
        self.namespace = namespace
        self.uid = uid
        self.storageSize = storageSize
        self.storageClass = storageClass
    }
}

/// The cluster DNS every workload may reach (`defaults.dns`): kube-dns labels differ between distributions,
/// and NodeLocal DNSCache answers on a link-local address on each node.
public struct DNSTarget: Sendable, Equatable {
    /// The namespace of the DNS pods (matched by `kubernetes.io/metadata.name`).
    public var namespace: String = "kube-system"
    /// Labels of the DNS pods; empty allows every pod of the namespace.
    public var podLabels: [String: String] = ["k8s-app": "kube-dns"]
    /// The ports the DNS pods listen on (UDP and TCP each).
    public var ports: [Int] = [53]
    /// NodeLocal DNSCache's address (`169.254.20.10`), allowed as an ipBlock beside the pods; nil when not used.
    public var nodeLocalIP: String?

    /// The built-in target: CoreDNS as kubeadm, kind, GKE and EKS label it.
    public init() {}
}
