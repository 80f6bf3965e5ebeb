import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPredict
import KomplySources

/// Maps what KomplySources read into the recommender's input, so KomplyPredict stays independent of it.
public enum PredictInput {
    /// The features of every service of every project.
    public static func features(of projects: [ComposeProject]) -> [WorkloadFeatures] {
        projects.flatMap { project in project.services.map { features(of: $0, app: project.name, project: project) } }
    }

    /// One service's features: image, argv, environment, ports, declared resources, observed usage, runtime state,
    /// and the classification `komply generate` decides for it (from its build context in `project`, when given).
    public static func features(of service: ComposeService, app: String, project: ComposeProject? = nil) -> WorkloadFeatures {
        var environment: [String: String] = [:]
        // Sizing reads flags (JAVA_OPTS, GOMEMLIMIT…), never secrets: they stay out of the features.
        for (key, value) in service.environment {
            if let value, SecretDetector.reason(name: key, value: value) == nil { environment[key] = value }
        }
        let ports = Set(service.ports.map(\.target) + service.expose.flatMap(\.ports)).sorted()
        let limits = service.deploy?.limits
        let reservations = service.deploy?.reservations
        let declared = ResourceAmounts(
            cpuRequest: reservations?.cpus, cpuLimit: limits?.cpus, memoryRequest: reservations?.memoryBytes.map(Double.init),
            memoryLimit: limits?.memoryBytes.map(Double.init))
        let observed = service.komply.observed.map {
            ObservedSnapshot(cpuCores: $0.cpuCores, memoryBytes: Double($0.memoryBytes), samples: $0.samples, source: $0.source)
        }
        return WorkloadFeatures(
            app: app, service: service.name, container: service.name, image: service.image,
            command: (service.entrypoint ?? []) + (service.command ?? []), environment: environment, ports: ports,
            declared: declared, observed: observed, restartCount: service.komply.runtime?.restartCount ?? 0,
            oomKilled: service.komply.runtime?.oomKilled ?? false, replicas: service.deploy?.replicas,
            location: service.komply.source?.description, classified: classification(of: service, project: project))
    }

    /// The generator's classification of a service as sizing reads it; nil when its `x-komply` block is invalid
    /// (generate reports that with its position).
    public static func classification(of service: ComposeService, project: ComposeProject?) -> WorkloadClass? {
        guard let options = try? ServiceOptions.read(service) else { return nil }
        let decided = Classifier.classify(service, options: options, project: project)
        let runtime = decided.runtime.value
        let known: Set<Runtime> = [.jvm, .node, .python, .go, .ruby, .php, .dotnet]
        return WorkloadClass(
            role: decided.role.value.rawValue, runtime: known.contains(runtime) ? runtime.rawValue : nil, family: decided.profile?.family,
            gpus: decided.gpus,
            reason: "role \(decided.role.value.rawValue) (\(decided.role.reason)), runtime \(runtime.rawValue) (\(decided.runtime.reason))")
    }

    /// The recommender configured from `komply.yaml` and flags, with the history file loaded when there is one.
    ///
    /// `history` nil uses `predict.history` or `.komply/history.sqlite` if that file exists (else a
    /// cold start); a named `history` file that does not exist is an error.
    public static func recommender(
        config file: ConfigFile?, history: String? = nil, tier: Tier? = nil, environment: String? = nil,
        cpuLimit: CPULimitPolicy? = nil
    ) throws -> Recommender {
        let config = try file.map(SizingConfig.read) ?? SizingConfig()
        let chosenTier = tier ?? environment.flatMap { config.tiers[$0] } ?? config.tier ?? .balanced
        let policy = SizingPolicy(tier: chosenTier, cpuLimit: cpuLimit ?? config.cpuLimit ?? .none)
        let path = try history ?? HistoryLocation.resolve(nil, config: file)
        var histories: [ServiceHistory] = []
        if HistoryStore.exists(at: path) {
            histories = try HistoryStore.open(path: path).serviceHistories()
        } else if history != nil {
            throw PredictError.unreadable(file: path, reason: "no such history file (create one with komply history import or record)")
        }
        return Recommender(policy: policy, history: histories)
    }

    /// Per service of each project, the recommendation (what `komply generate` writes into resources and
    /// the `komply.dev/sizing` annotation), keyed by project name and service name.
    public static func recommendations(for projects: [ComposeProject], recommender: Recommender) -> [String: [String: Recommendation]] {
        var result: [String: [String: Recommendation]] = [:]
        for project in projects {
            for service in project.services {
                result[project.name, default: [:]][service.name] = recommender.recommend(
                    features(of: service, app: project.name, project: project))
            }
        }
        return result
    }

    /// Loads apps and returns their features, with what the readers noticed.
    public static func load(_ request: SourceRequest) throws -> (features: [WorkloadFeatures], diagnostics: [Diagnostic]) {
        let projects = try SourceLoader.load(request)
        return (features(of: projects), projects.flatMap(\.diagnostics))
    }
}
