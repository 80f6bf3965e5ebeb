import ArgumentParser
import Foundation
import KomplyPredict

/// Flags that say how to read usage files.
struct ImportOptions: ParsableArguments {
    @Option(help: "Input format: jsonl, csv, kubectl, docker-inspect, docker-stats or prometheus (default: detected).")
    var format: String?

    @Option(help: "What a Prometheus series measures: cpu, cpu-seconds, memory, oom or throttled (default: from __name__).")
    var metric: String?

    @Option(help: "Service name to record instead of the one in the file.")
    var service: String?

    @Option(help: "Time of a snapshot that carries none (docker stats), RFC 3339.")
    var at: String?

    @Option(name: .customLong("env"), help: "Environment to record with imported deployments.")
    var environment: String?

    @Option(help: "Cluster to record with imported deployments.")
    var cluster: String?

    func validate() throws {
        if let format, HistoryImporter.Format(rawValue: format) == nil {
            throw ValidationError(
                "--format must be one of \(HistoryImporter.Format.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(format)\"")
        }
        if let metric, HistoryImporter.Metric(rawValue: metric) == nil {
            throw ValidationError(
                "--metric must be one of \(HistoryImporter.Metric.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(metric)\"")
        }
    }

    func importer() throws -> HistoryImporter {
        var options = HistoryImporter.Options(
            format: format.flatMap(HistoryImporter.Format.init), metric: metric.flatMap(HistoryImporter.Metric.init),
            service: service, environment: environment, cluster: cluster)
        if let at {
            guard let time = Timestamp.parse(at) else {
                throw CLIError(message: "invalid --at \"\(at)\": expected RFC 3339 such as 2026-01-31T12:00:00Z")
            }
            options.at = time
        }
        return HistoryImporter(options: options)
    }

    static func write(_ batch: HistoryBatch, to store: HistoryStore, now: Double) throws {
        for note in batch.notes { FileHandle.standardError.write(Data("komply: note: \(note)\n".utf8)) }
        let summary = try store.write(batch, now: now)
        print(
            "\(store.path): +\(summary.deployments) deployment(s), +\(summary.samples) sample(s), +\(summary.events) event(s); "
                + "\(summary.profiles) profile(s) rebuilt")
    }
}
