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

    /// One record per container, keyed by its app (the compose project, as `HistoryApp.key` normalises it): its declared resources, or with `recommended` what komply's
    /// recommender (fed with `histories`) proposes for it.
    public static func records(
        for features: [WorkloadFeatures], context: Context, recommended: Bool, histories: [ServiceHistory]
    ) -> [DeploymentRecord] {
        let recommender = Recommender(history: histories)
        return features.map { feature in
            let traits = WorkloadTraits.of(feature)
            let resources = recommended ? recommender.recommend(feature).amounts : feature.declared
            return DeploymentRecord(
                app: HistoryApp.key(feature.app), service: feature.service, container: feature.container, image: feature.image,
                runtime: traits.runtime,
                role: traits.role, features: traits.featureMap, resources: resources, replicas: feature.replicas,
                environment: context.environment, cluster: context.cluster, commit: context.commit, time: context.time,
                outcome: context.outcome)
        }
    }
}
