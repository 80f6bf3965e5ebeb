import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline

extension Komply {
    /// `komply bench`: measures komply's own stages on a corpus, in one process.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure how long komply takes on a corpus (figures, not assertions).",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  komply bench generate fixtures/generate/web-db/input --repeat 5
                  komply bench generate ../shared/corpus/awesome-compose/*/
                """),
            subcommands: [GenerateBench.self]
        )
    }

    /// `komply bench generate`: read + generate every app, per app and in total.
    struct GenerateBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Time reading and generating every app (nothing is written).",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  komply bench generate fixtures/generate/web-db/input --repeat 5
                  komply bench generate ../shared/corpus/awesome-compose/*/ --repeat 5
                """)
        )

        @Argument(help: "Apps: compose files, folders or docker inspect snapshots.")
        var paths: [String]

        @Option(name: .customLong("repeat"), help: "Runs per app; the fastest run is reported.")
        var repetitions: Int = 3

        @Option(help: "Output format; the JSON shape is {\"version\":1,\"apps\":[…],\"total\":{…}} (docs/generate.md).")
        var format: BenchFormat = .text

        /// `--format`.
        enum BenchFormat: String, CaseIterable, ExpressibleByArgument { case text, json }

        func validate() throws {
            if paths.isEmpty { throw ValidationError("name at least one app to measure") }
            if repetitions < 1 { throw ValidationError("--repeat must be at least 1") }
        }

        func run() async throws {
            let (measurements, wall) = try GenerateBenchmark.run(paths: paths, repetitions: repetitions) { measurement in
                guard format == .text else { return }
                let name = (measurement.path as NSString).lastPathComponent
                print(
                    name.padding(toLength: max(name.count, 48), withPad: " ", startingAt: 0)
                        + String(format: " %8.2f ms", milliseconds(measurement.fastest)))
            }
            let total = measurements.reduce(Duration.zero) { $0 + $1.fastest }
            let files = measurements.reduce(0) { $0 + $1.files }
            guard format == .text else {
                print(GenerateBenchmark.json(measurements, wall: wall, repetitions: repetitions), terminator: "")
                return
            }
            print(
                String(
                    format: "total (fastest run per app) %d apps, %d files: %.1f ms; wall time of all %d runs: %.1f ms",
                    paths.count, files, milliseconds(total), paths.count * repetitions, milliseconds(wall)))
        }

        func milliseconds(_ duration: Duration) -> Double { GenerateBenchmark.milliseconds(duration) }
    }
}
