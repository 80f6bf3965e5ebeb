import KomplyCore
import KomplyPredict

/// `komply history record`: what a deployment of the apps read records in the history.
public enum DeploymentRecording {
    /// Where and what was deployed, besides the apps themselves.
    public struct Context: Sendable {
        /// The environment deployed to.
        public var environment: String?
        /// The cluster deployed to.
        public var cluster: String?
        /// The git commit deployed.
        public var commit: String?
        /// The outcome, once known (healthy, oom_killed, rolled_back…).
        public var outcome: String?
        /// When it was deployed (seconds since 1970).
        public var time: Double

        /// Creates a context.
        public init(environment: String? = nil, cluster: String? = nil, commit: String? = nil, outcome: String? = nil, time: Double) {
            self.environment = environment
            self.cluster = cluster
            self.commit = commit
            self.outcome = outcome
            self.time = time
        }
    }

    /// One record per container, keyed by its app (the compose project, as `HistoryApp.key` normalises it), with
    /// who chose its resources (`SizingSource`):
    ///
    /// - with `manifests` (the folder `komply generate` wrote), the container's resources there, `llm` when an
    ///   accepted LLM change marked them (`komply.dev/refined`), `manual` for `x-komply.resources`, else
    ///   `deterministic`; a container the manifests do not hold is recorded as without them;
    /// - with `recommended`, what komply's recommender (fed with `histories`) proposes, `deterministic`;
    /// - else its declared compose resources, `manual` (the user wrote them), or none, `deterministic`.
    public static func records(
        for features: [WorkloadFeatures], context: Context, recommended: Bool, histories: [ServiceHistory],
        manifests: DeployedManifests? = nil
    ) -> [DeploymentRecord] {
        let recommender = Recommender(history: histories)
        return features.map { feature in
            let traits = WorkloadTraits.of(feature)
            var resources = recommended ? recommender.recommend(feature).amounts : feature.declared
            var source: SizingSource = recommended || resources.isEmpty ? .deterministic : .manual
            if let entry = manifests?.entry(app: feature.app, service: feature.service, container: feature.container) {
                resources = entry.resources
                source = entry.source
            }
            return DeploymentRecord(
                app: HistoryApp.key(feature.app), service: feature.service, container: feature.container, image: feature.image,
                runtime: traits.runtime,
                role: traits.role, features: traits.featureMap, resources: resources, replicas: feature.replicas,
                environment: context.environment, cluster: context.cluster, commit: context.commit, time: context.time,
                outcome: context.outcome, source: source)
        }
    }
}
