import KomplyCore

/// How secrets reach the cluster; values never pass through komply.
public enum SecretsProvider: Sendable, Equatable {
    /// A Secret the user creates outside git; `SECRETS.md` in the output says which keys.
    case placeholder
    /// External Secrets Operator: an `ExternalSecret` per Secret, read from a store.
    case externalSecrets(storeKind: String, storeName: String, keyPrefix: String?)
    /// Sealed Secrets: the user seals the listed keys with `kubeseal`; `SECRETS.md` shows how.
    case sealedSecrets
}

/// Argo CD settings; without a repository URL no Application is written.
public struct ArgoCDSettings: Sendable, Equatable {
    public var repoURL: String?
    public var targetRevision: String = "HEAD"
    public var project: String = "default"
    public var destinationServer: String = "https://kubernetes.default.svc"
    public var applicationSet: Bool = false
    public var automated: Bool = true

    /// Creates settings.
    public init(repoURL: String?) { self.repoURL = repoURL }
}

/// Everything the generator needs besides the apps.
public struct GeneratorSettings: Sendable, Equatable {
    /// Registry for `build:`-only services (`<registry>/<app>/<service>`).
    public var registry: String?
    /// Secrets every pod spec names in `imagePullSecrets` (komply.yaml's `imagePullSecrets`).
    public var imagePullSecrets: [String] = []
    /// How secrets are provided.
    public var secrets: SecretsProvider = .placeholder
    /// The uid for images komply does not know.
    public var defaultUID: Int = 10001
    /// Default volume size.
    public var storageSize: String = "1Gi"
    /// Default storage class (nil: the cluster default).
    public var storageClass: String?
    /// The cluster DNS every workload's egress allows.
    public var dns = DNSTarget()
    /// Environments; empty means one `default` environment.
    public var environments: [EnvironmentConfig] = []
    /// The environments this run regenerates (`--env`); nil regenerates all. The others' overlays and
    /// Argo CD Applications are neither written nor removed.
    public var selectedEnvironments: Set<String>?
    /// `defaults.namespace`: the namespace template of environments without their own.
    public var namespaceTemplate: String = "{app}"
    /// Argo CD settings.
    public var argocd: ArgoCDSettings = ArgoCDSettings(repoURL: nil)
    /// The output folder as the repository sees it (Argo CD paths start here).
    public var outputPath: String = "deploy"
    /// Sized requests and limits from `komply predict`, keyed `app/service`; they replace the role defaults.
    public var predictions: [String: Recommendation] = [:]
    /// `policy.nonSuppressible`: rules no `x-komply.accept` may suppress.
    public var nonSuppressible: Set<String> = []
    /// Today as `YYYY-MM-DD` (UTC), for warning about `x-komply.accept` entries that have expired; nil warns of none.
    /// Only warnings depend on it, never a generated file.
    public var today: String?
    /// Tags for `build:`-only images, keyed `app/service` (a content digest of the build context).
    public var buildTags: [String: String] = [:]

    /// Default settings.
    public init() {}
}
