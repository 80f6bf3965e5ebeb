import Foundation
import KomplyCore
import KomplyGenerate
import KomplySources

/// `komply bench generate`: reading and generating each app several times, nothing written.
public enum GenerateBenchmark {
    /// The fastest run of one app.
    public struct Measurement: Sendable {
        /// The app as named.
        public var path: String
        /// The fastest of the runs.
        public var fastest: Duration
        /// Files generated for it.
        public var files: Int
    }

    /// Measures each app `repetitions` times; `measured` receives each app's result as it is known.
    public static func run(paths: [String], repetitions: Int, measured: (Measurement) -> Void) throws -> (
        measurements: [Measurement], wall: Duration
    ) {
        let clock = ContinuousClock()
        let start = clock.now
        var measurements: [Measurement] = []
        for path in paths {
            var best: Duration?
            var files = 0
            for _ in 0..<max(1, repetitions) {
                let began = clock.now
                let projects = try SourceLoader.load(SourceRequest(paths: [path]))
                let result = try Generator(settings: GeneratorSettings()).generate(projects)
                let elapsed = clock.now - began
                if best == nil { files = result.files.count }
                best = min(best ?? elapsed, elapsed)
            }
            let measurement = Measurement(path: path, fastest: best ?? .zero, files: files)
            measured(measurement)
            measurements.append(measurement)
        }
        return (measurements, clock.now - start)
    }
}
