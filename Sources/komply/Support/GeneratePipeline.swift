import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPredict
import KomplySources

/// The options `komply generate` and `komply sync` share.
struct GenerateRunOptions {
    var input: InputOptions
    var output: String?
    var environments: [String]
    var config: String?
    var templates: String?
    var registry: String?
    var history: String?
    var tier: String?
    var noPredict: Bool
}

/// Reads the apps, sizes them with `komply predict` and generates, without writing anything.
struct GeneratePipeline {
    /// Sources, settings and output folder.
    var plan: GeneratePlan
    /// The apps read.
    var projects: [ComposeProject]
    /// The generated files and notices.
    var result: GenerationResult
    /// The sizing tier used (`balanced`…), or `defaults` with --no-predict.
    var sizingProfile: String
    /// What komply predict recommended per container, by app then service (empty with --no-predict).
    var recommendations: [Recommendation]

    static func run(_ options: GenerateRunOptions) throws -> GeneratePipeline {
        let plan = try GeneratePlan.make(
            input: options.input, output: options.output, environments: options.environments, config: options.config,
            registry: options.registry)
        let templateSet = try options.templates.map { try TemplateSet.overriding(with: $0) } ?? .builtIn
        let projects = try SourceLoader.load(plan.sourceRequest)
        var settings = plan.settings
        for (key, tag) in BuildContextDigest.tags(for: projects) {
            let parts = key.split(separator: "/", maxSplits: 1)
            settings.buildTags["\(Naming.dnsLabel(String(parts[0])))/\(parts.count > 1 ? String(parts[1]) : "")"] = tag
        }
        var profile = "defaults"
        var recommended: [Recommendation] = []
        if !options.noPredict {
            // komply's policy pack asks for CPU limits, so generated manifests get request × 2 unless komply.yaml says otherwise.
            let configured = (try? SizingConfig.load(path: "komply.yaml")) ?? nil
            let tier = options.tier.flatMap(Tier.init) ?? configured?.tier ?? .balanced
            profile = tier.rawValue
            let recommender = try PredictInput.recommender(
                history: options.history, tier: options.tier.flatMap(Tier.init), cpuLimit: configured?.cpuLimit ?? .ratio(2))
            for (app, services) in PredictInput.recommendations(for: projects, recommender: recommender).sorted(by: { $0.key < $1.key }) {
                for (service, recommendation) in services.sorted(by: { $0.key < $1.key }) {
                    recommended.append(recommendation)
                    settings.predictions["\(Naming.dnsLabel(app))/\(service)"] = PredictedResources(
                        cpuRequest: recommendation.cpuRequest, cpuLimit: recommendation.cpuLimit,
                        memoryRequest: recommendation.memoryRequest, memoryLimit: recommendation.memoryLimit,
                        confidence: recommendation.confidence, reason: recommendation.reasons.joined(separator: " "),
                        warnings: recommendation.warnings.map { $0.message })
                }
            }
        }
        let result = try Generator(settings: settings, templates: templateSet).generate(projects)
        return GeneratePipeline(
            plan: plan, projects: projects, result: result, sizingProfile: profile, recommendations: recommended)
    }
}
