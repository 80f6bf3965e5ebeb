import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline
import KomplyPredict

/// Flags that say how to read usage files.
struct ImportOptions: ParsableArguments {
    @Option(help: "Input format (default: detected from the file).")
    var format: HistoryImporter.Format?

    @Option(help: "What a Prometheus series measures (default: from __name__).")
    var metric: HistoryImporter.Metric?

    @Option(help: "Service name to record instead of the one in the file.")
    var service: String?

    @Option(
        help: ArgumentHelp(
            "The app (compose project) everything read belongs to; rows naming another app are refused or skipped.",
            discussion: "Without it: the file's app column/field, compose labels and names, or the Kubernetes namespace."))
    var app: String?

    @Option(help: "Time of a snapshot that carries none (docker stats), RFC 3339.")
    var at: String?

    @Option(name: .customLong("env"), help: "Environment to record with imported deployments.")
    var environment: String?

    @Option(help: "Cluster to record with imported deployments.")
    var cluster: String?

    func importer() throws -> HistoryImporter {
        var options = HistoryImporter.Options(
            format: format, metric: metric,
            service: service, environment: environment, cluster: cluster, app: app)
        if let app, HistoryApp.key(app).isEmpty || !app.unicodeScalars.contains(where: { CharacterSet.alphanumerics.contains($0) }) {
            throw CLIError(message: "invalid --app \"\(app)\": expected an app (compose project) name such as shop")
        }
        options.namespacePatterns = try HistoryIngest.namespacePatterns(config: ProjectConfig.load())
        if let at {
            guard let time = Timestamp.parse(at), (try? BoundedNumber.check(time, .unixSeconds)) != nil else {
                throw CLIError(message: "invalid --at \"\(at)\": expected RFC 3339 such as 2026-01-31T12:00:00Z, between 1970 and 2100")
            }
            options.at = time
        }
        return HistoryImporter(options: options)
    }

    static func write(_ batch: HistoryBatch, to store: HistoryStore, now: Double) throws {
        for note in batch.notes { FileHandle.standardError.write(Data("komply: note: \(note)\n".utf8)) }
        let summary = try store.write(batch, now: now)
        for warning in summary.dropped { FileHandle.standardError.write(Data("komply: warning: \(warning)\n".utf8)) }
        print(
            "\(store.path): +\(summary.deployments) deployment(s), +\(summary.samples) sample(s), +\(summary.events) event(s); "
                + "\(summary.profiles) profile(s) rebuilt")
    }
}

extension HistoryImporter.Format: ExpressibleByArgument {}

extension HistoryImporter.Metric: ExpressibleByArgument {}
