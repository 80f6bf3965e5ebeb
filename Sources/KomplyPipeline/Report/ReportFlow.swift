import Foundation
import KomplyCore
import KomplyGenerate
import KomplyLint
import KomplyPredict
import KomplySources

/// `komply report`: the apps (komply.yaml's sources or PATHs), sized as `komply predict` sizes them, beside
/// what the history observed, as HTML and JSON.
public enum ReportFlow {
    /// Builds the report.
    public static func report(
        sources: SourceRequest, config: ConfigFile?, history: String?, now: Double
    ) throws -> (report: UsageReport, diagnostics: [Diagnostic]) {
        let (features, diagnostics) = try PredictInput.load(ProjectConfig.sources(sources, config: config))
        let recommender = try PredictInput.recommender(config: config, history: history)
        let path = try history ?? HistoryLocation.resolve(nil, config: config)
        var samples: [UsageSample] = []
        var events: [UsageEvent] = []
        if HistoryStore.exists(at: path) {
            let store = try HistoryStore.open(path: path)
            samples = try store.samples()
            events = try store.events()
        }
        var report = UsageReport.build(
            features: features, recommender: recommender, samples: samples, events: events, prices: try prices(config), now: now)
        try addGeneration(to: &report, sources: ProjectConfig.sources(sources, config: config), config: config, history: history)
        return (report, diagnostics)
    }

    /// Generates the apps in memory as `komply generate` would: the report then shows the recommendations generate
    /// writes, each workload's lint findings, and each app's drift from the output folder.
    static func addGeneration(to report: inout UsageReport, sources: SourceRequest, config: ConfigFile?, history: String?) throws {
        let generation: GeneratePipeline
        do {
            generation = try GeneratePipeline.run(GenerateRequest(sources: sources, history: history))
        } catch {
            report.notes.append("not generated, so no findings or drift: \(error.localizedDescription)")
            return
        }
        for failure in generation.failures { report.notes.append("not generated: \(failure.description)") }
        var written: [String: Recommendation] = [:]
        for recommendation in generation.recommendations {
            written["\(HistoryApp.key(recommendation.app))/\(recommendation.service)/\(recommendation.container)"] = recommendation
        }
        var drift: [String: [String]] = [:]
        let apps = Set(report.workloads.map(\.app))
        for app in apps { drift[app] = [] }
        for change in OutputTree.drift(generation.result, in: generation.plan.outputDirectory).changes {
            let app = String(change.path.split(separator: "/").first ?? "")
            drift[app, default: []].append(change.path)
        }
        report.drift = drift
        let linter = try Linter(config: config.map(PolicyConfig.read) ?? PolicyConfig())
        let manifests = generation.result.files.filter { $0.path.hasSuffix(".yaml") }.map {
            ManifestSource(file: $0.path, text: $0.contents)
        }
        var findings: [String: [String: Int]] = [:]
        for finding in linter.lint(sources: manifests).findings {
            let app = String(finding.location.file.split(separator: "/").first ?? "")
            findings["\(app)/\(finding.object.name)", default: [:]][finding.ruleID, default: 0] += 1
        }
        for index in report.workloads.indices {
            let workload = report.workloads[index]
            if let recommendation = written["\(workload.app)/\(workload.service)/\(workload.container)"] {
                report.workloads[index].recommended = recommendation
            }
            report.workloads[index].findings = findings["\(workload.app)/\(DNSLabel.make(workload.service))"] ?? [:]
        }
        addEnvironments(to: &report, generation: generation)
    }

    /// Each environment komply.yaml lists, per app, as its generated overlay renders (replicas, autoscaler minimums,
    /// scaled resources, namespace), then the history's observations matched to them.
    static func addEnvironments(to report: inout UsageReport, generation: GeneratePipeline) {
        let settings = generation.plan.settings
        guard !settings.environments.isEmpty else { return }
        let folder = generation.plan.outputDirectory
        let texts = Dictionary(generation.result.files.map { ("\(folder)/\($0.path)", $0.contents) }, uniquingKeysWith: { $1 })
        for project in generation.projects.sorted(by: { $0.name < $1.name }) {
            let app = Naming.dnsLabel(project.name)
            for environment in settings.environments {
                let overlay = "\(folder)/\(app)/overlays/\(Naming.dnsLabel(environment.name))/kustomization.yaml"
                guard let rendered = OverlayLint.renderedObjects(of: overlay, texts: texts) else {
                    report.notes.append("\(app): the overlay of environment \(environment.name) could not be rendered; it is not shown")
                    continue
                }
                report.addEnvironment(
                    app: HistoryApp.key(project.name), name: environment.name,
                    namespace: environment.namespace(app: app, defaultTemplate: settings.namespaceTemplate), cluster: environment.cluster,
                    replicas: environment.replicas, scale: environment.resourceScale ?? 1,
                    objects: ManifestTotals.objects(rendered, file: overlay + "#rendered"))
            }
        }
        report.matchObservations()
    }

    /// komply.yaml's `report.prices` (`vcpuHour`, `gibHour`, `currency`) over the defaults (Kubecost's list prices in USD).
    public static func prices(_ file: ConfigFile?) throws -> UsageReport.Prices {
        var prices = UsageReport.Prices.standard
        guard let section = file?.root?["report"]?["prices"], !section.isNull else { return prices }
        for key in ["vcpuHour", "gibHour"] {
            guard let node = section[key], !node.isNull else { continue }
            guard let text = node.scalar, let value = Double(text), value.isFinite, value >= 0, value <= 1_000_000 else {
                throw PipelineError.invalidConfig(node.location, expected: "report.prices.\(key): a price per hour between 0 and 1000000")
            }
            if key == "vcpuHour" { prices.vcpuHour = value } else { prices.gibHour = value }
        }
        if let node = section["currency"], let text = node.scalar {
            guard !text.isEmpty, text.count <= 8 else {
                throw PipelineError.invalidConfig(node.location, expected: "report.prices.currency: a short label such as EUR")
            }
            prices.currency = text
        }
        return prices
    }
}
