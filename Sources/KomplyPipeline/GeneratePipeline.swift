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
    /// Apps that could not be read or generated; the others are in `result`, and the failed apps'
    /// folders are outside its scope, so writing leaves their existing output untouched.
    public var failures: [AppFailure] = []
    /// What LLM refinement did per service, when it ran (`refined(_:)`); nil without a provider.
    public var refinement: RefinementReport?

    /// One app that could not be read or generated, and why (the error names file:line:column).
    public struct AppFailure: Sendable, Equatable, CustomStringConvertible {
        /// The app's PATH (or komply.yaml source) as given, or its name when generating it failed.
        public var app: String
        /// The error's message.
        public var message: String

        public var description: String { message.hasPrefix(app) ? message : "\(app): \(message)" }
    }

    /// Reads the apps, sizes them with komply predict and generates.
    public static func run(_ request: GenerateRequest) throws -> GeneratePipeline {
        let plan = try GeneratePlan.make(request)
        let templateSet = try request.templates.map { try TemplateSet.overriding(with: $0) } ?? .builtIn
        var (projects, failures) = try readApps(plan.sourceRequest)
        var settings = plan.settings
        settings.buildTags = buildTags(projects)
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
        let generator = Generator(settings: settings, templates: templateSet)
        let result: GenerationResult
        do {
            result = try generator.generate(projects)
        } catch {
            guard projects.count > 1 else { throw failures.isEmpty ? error : PipelineError.appsFailed(failures + [AppFailure(error)]) }
            // Find the apps that fail on their own; the rest are generated together.
            var good: [ComposeProject] = []
            for project in projects {
                do {
                    _ = try generator.generate([project])
                    good.append(project)
                } catch let failure {
                    failures.append(AppFailure(app: project.name, message: failure.localizedDescription))
                }
            }
            guard good.count < projects.count else { throw error }
            guard !good.isEmpty else { throw PipelineError.appsFailed(failures) }
            projects = good
            result = try generator.generate(projects)
            let names = Set(good.map(\.name))
            recommended = recommended.filter { names.contains($0.app) }
        }
        return GeneratePipeline(
            plan: plan, projects: projects, result: result, sizingProfile: profile, recommendations: recommended,
            failures: failures)
    }
}

extension GeneratePipeline {
    /// The build context digest of every `build:`-only service, keyed as the generator looks them up.
    static func buildTags(_ projects: [ComposeProject]) -> [String: String] {
        var tags: [String: String] = [:]
        for (key, tag) in BuildContextDigest.tags(for: projects) {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            tags[BuildImage.tagKey(app: parts[0], service: parts.count > 1 ? parts[1] : "")] = tag
        }
        return tags
    }

    /// Reads every app; with several PATHs (or `sources` globs), an app that cannot be read is a
    /// failure and the others are still read. A problem only the apps together have (two apps with one
    /// name) still stops the run.
    static func readApps(_ request: SourceRequest) throws -> ([ComposeProject], [AppFailure]) {
        do {
            return (try SourceLoader.load(request), [])
        } catch {
            guard request.paths.count > 1, request.files.isEmpty else { throw error }
            var failures: [AppFailure] = []
            var readable: [String] = []
            for path in request.paths {
                // A docker stats file is usage for the other apps, not an app that can fail on its own.
                if path.hasSuffix(".jsonl") {
                    readable.append(path)
                    continue
                }
                var one = request
                one.paths = [path]
                do {
                    _ = try SourceLoader.load(one)
                    readable.append(path)
                } catch let failure {
                    failures.append(AppFailure(app: path, message: failure.localizedDescription))
                }
            }
            guard !failures.isEmpty else { throw error }
            guard readable.contains(where: { !$0.hasSuffix(".jsonl") }) else { throw PipelineError.appsFailed(failures) }
            var rest = request
            rest.paths = readable
            return (try SourceLoader.load(rest), failures)
        }
    }
}

extension GeneratePipeline.AppFailure {
    /// A failure of the whole run, reported as it is.
    init(_ error: any Error) {
        self.init(app: "", message: error.localizedDescription)
    }
}
