import KomplyCore
import KomplyPredict
import KomplySources

/// What `komply generate` and `komply sync` ask of the pipeline, independent of argument parsing.
public struct GenerateRequest: Sendable {
    /// The apps to read (paths, `-f` files, env files, profiles, stats, root).
    public var sources: SourceRequest
    /// The output folder (default: komply.yaml's `output`, else `deploy`).
    public var output: String?
    /// Only these environments of komply.yaml.
    public var environments: [String]
    /// An explicit komply.yaml (default: found from the current folder up to the repository root).
    public var config: String?
    /// A folder of templates over the built-in ones.
    public var templates: String?
    /// Registry for build-only services (over komply.yaml's).
    public var registry: String?
    /// History file for sizing (default: komply.yaml's, else `.komply/history.sqlite` if present).
    public var history: String?
    /// Sizing tier (default: komply.yaml's, else balanced).
    public var tier: Tier?
    /// Size from role and runtime defaults instead of komply predict.
    public var noPredict: Bool

    /// Creates a request.
    public init(
        sources: SourceRequest, output: String? = nil, environments: [String] = [], config: String? = nil,
        templates: String? = nil, registry: String? = nil, history: String? = nil, tier: Tier? = nil, noPredict: Bool = false
    ) {
        self.sources = sources
        self.output = output
        self.environments = environments
        self.config = config
        self.templates = templates
        self.registry = registry
        self.history = history
        self.tier = tier
        self.noPredict = noPredict
    }
}
