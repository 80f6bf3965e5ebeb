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

        /// Creates a measurement.
        public init(path: String, fastest: Duration, files: Int) {
            self.path = path
            self.fastest = fastest
            self.files = files
        }
    }

    /// `komply bench generate --format json` (docs/generate.md): `{"version":1,"repeat","apps":[{"path","files",
    /// "fastestMs"}],"total":{"apps","files","fastestMs","runs","wallMs"}}`.
    public static func json(_ measurements: [Measurement], wall: Duration, repetitions: Int) -> String {
        let total = measurements.reduce(Duration.zero) { $0 + $1.fastest }
        let apps: [ValueTree] = measurements.map {
            .members([("path", .string($0.path)), ("files", .int($0.files)), ("fastestMs", .double(milliseconds($0.fastest)))])
        }
        let summary: ValueTree = .members([
            ("apps", .int(measurements.count)), ("files", .int(measurements.reduce(0) { $0 + $1.files })),
            ("fastestMs", .double(milliseconds(total))), ("runs", .int(measurements.count * repetitions)),
            ("wallMs", .double(milliseconds(wall))),
        ])
        return JSONEmitter.emit(
            .members([("version", .int(1)), ("repeat", .int(repetitions)), ("apps", .array(apps)), ("total", summary)]))
    }

    /// A duration in milliseconds.
    public static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
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
