import Foundation
import KomplyCore
import KomplyGenerate
import KomplyPredict
import KomplySources

/// read → classify → size → generate, without writing anything: what `komply generate` and
/// `komply sync` run.
public struct GeneratePipeline: Sendable {
    /// Sources, settings and output folder.
    public var plan: GeneratePlan
    /// The apps read.
    public var projects: [ComposeProject]
    /// The generated files and notices.
    public var result: GenerationResult
    /// The sizing tier used (`balanced`…), or `defaults` with --no-predict.
    public var sizingProfile: String
    /// What komply predict recommended per container, by app then service (empty with --no-predict).
    public var recommendations: [Recommendation]

    /// Reads the apps, sizes them with komply predict and generates.
    public static func run(_ request: GenerateRequest) throws -> GeneratePipeline {
        let plan = try GeneratePlan.make(request)
        let templateSet = try request.templates.map { try TemplateSet.overriding(with: $0) } ?? .builtIn
        let projects = try SourceLoader.load(plan.sourceRequest)
        var settings = plan.settings
        for (key, tag) in BuildContextDigest.tags(for: projects) {
            let parts = key.split(separator: "/", maxSplits: 1)
            settings.buildTags["\(Naming.dnsLabel(String(parts[0])))/\(parts.count > 1 ? String(parts[1]) : "")"] = tag
        }
        var profile = "defaults"
        var recommended: [Recommendation] = []
        if !request.noPredict {
            // komply's policy pack asks for CPU limits, so generated manifests get request × 2 unless komply.yaml says otherwise.
            let configured = try? plan.config.map(SizingConfig.read)
            let tier = request.tier ?? configured?.tier ?? .balanced
            profile = tier.rawValue
            let recommender = try PredictInput.recommender(
                config: plan.config, history: request.history, tier: request.tier, cpuLimit: configured?.cpuLimit ?? .ratio(2))
            for (app, services) in PredictInput.recommendations(for: projects, recommender: recommender).sorted(by: { $0.key < $1.key }) {
                for (service, recommendation) in services.sorted(by: { $0.key < $1.key }) {
                    recommended.append(recommendation)
                    settings.predictions["\(Naming.dnsLabel(app))/\(service)"] = recommendation
                }
            }
        }
        let result = try Generator(settings: settings, templates: templateSet).generate(projects)
        return GeneratePipeline(
            plan: plan, projects: projects, result: result, sizingProfile: profile, recommendations: recommended)
    }
}
