import Foundation
import KomplyCore
import KomplyPredict
import KomplySources

/// Maps what KomplySources read into the recommender's input, so KomplyPredict stays independent of it.
enum PredictInput {
    /// The features of every service of every project.
    static func features(of projects: [ComposeProject]) -> [WorkloadFeatures] {
        projects.flatMap { project in project.services.map { features(of: $0, app: project.name) } }
    }

    /// One service's features: image, argv, environment, ports, declared resources, observed usage, runtime state.
    static func features(of service: ComposeService, app: String) -> WorkloadFeatures {
        var environment: [String: String] = [:]
        for (key, value) in service.environment { if let value { environment[key] = value } }
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
            location: service.komply.source?.description)
    }

    /// The recommender configured from `komply.yaml` and flags, with the history file loaded when there is one.
    ///
    /// `history` nil uses `predict.history` or `.komply/history.sqlite` if that file exists (else a
    /// cold start); a named `history` file that does not exist is an error.
    static func recommender(
        history: String? = nil, tier: Tier? = nil, environment: String? = nil,
        cpuLimit: CPULimitPolicy? = nil
    ) throws -> Recommender {
        try withPredictErrors {
            let config = try SizingConfig.load(path: "komply.yaml") ?? SizingConfig()
            let chosenTier = tier ?? environment.flatMap { config.tiers[$0] } ?? config.tier ?? .balanced
            let policy = SizingPolicy(tier: chosenTier, cpuLimit: cpuLimit ?? config.cpuLimit ?? .none)
            let path = history ?? config.historyPath ?? HistoryLocation.defaultPath
            var histories: [ServiceHistory] = []
            if FileManager.default.fileExists(atPath: path) {
                histories = try HistoryStore.open(path: path).serviceHistories()
            } else if history != nil {
                throw PredictError.unreadable(file: path, reason: "no such history file (create one with komply history import or record)")
            }
            return Recommender(policy: policy, history: histories)
        }
    }

    /// Per service of each project, the recommendation (what `komply generate` writes into resources and
    /// the `komply.dev/sizing` annotation), keyed by project name and service name.
    static func recommendations(for projects: [ComposeProject], recommender: Recommender) -> [String: [String: Recommendation]] {
        var result: [String: [String: Recommendation]] = [:]
        for project in projects {
            for service in project.services {
                result[project.name, default: [:]][service.name] = recommender.recommend(features(of: service, app: project.name))
            }
        }
        return result
    }

    /// Loads apps and returns their features, printing source diagnostics to standard error.
    static func load(_ input: InputOptions) throws -> [WorkloadFeatures] {
        let request = SourceRequest(
            paths: input.paths, files: input.files, envFiles: input.envFiles, profiles: input.profiles,
            stats: input.stats, root: input.root)
        let projects = try SourceLoader.load(request)
        for diagnostic in projects.flatMap(\.diagnostics) {
            FileHandle.standardError.write(Data("komply: \(diagnostic)\n".utf8))
        }
        return features(of: projects)
    }
}

/// Runs library code, turning `PredictError` into the CLI's exit-2 error.
func withPredictErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as PredictError {
        throw CLIError(message: error.localizedDescription)
    }
}

/// Async variant of `withPredictErrors`.
func withPredictErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PredictError {
        throw CLIError(message: error.localizedDescription)
    }
}

/// Where the history lives and the sizing defaults, from `komply.yaml` (`predict:` section) and flags.
struct HistoryLocation {
    /// The default history file.
    static let defaultPath = ".komply/history.sqlite"

    /// The history path: the flag, else `predict.history` in komply.yaml, else `.komply/history.sqlite`.
    static func resolve(_ flag: String?) throws -> String {
        if let flag { return flag }
        return try withPredictErrors { try SizingConfig.load(path: "komply.yaml")?.historyPath } ?? defaultPath
    }

    /// The time "now": `--now`, else `KOMPLY_NOW`, else the clock.
    static func now(_ flag: String?) throws -> Double {
        let text = flag ?? ProcessInfo.processInfo.environment["KOMPLY_NOW"]
        guard let text else { return Date().timeIntervalSince1970 }
        guard let seconds = Timestamp.parse(text) else {
            throw CLIError(message: "invalid time \"\(text)\": expected RFC 3339 such as 2026-01-31T12:00:00Z or seconds since 1970")
        }
        return seconds
    }
}
