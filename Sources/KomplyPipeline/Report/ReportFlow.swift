import Foundation
import KomplyCore
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
        if FileManager.default.fileExists(atPath: path) {
            let store = try HistoryStore.open(path: path)
            samples = try store.samples()
            events = try store.events()
        }
        let report = UsageReport.build(
            features: features, recommender: recommender, samples: samples, events: events, prices: try prices(config), now: now)
        return (report, diagnostics)
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
