import Foundation

/// Where a timed run's time went (`komply lint --timings`): wall and CPU time per phase (CPU
/// time near twice the wall time means both cores were busy), and per rule the
/// time its check spent (summed over the workers, so CPU time), the objects it ran on and what it found.
///
/// Platform teams use it to find the custom rule that makes CI slow; komply's own speed work uses it
/// to see which checks cost what (docs/lint-benchmark.md).
public struct LintTimings: Sendable {
    /// One phase of the run.
    public struct Phase: Sendable {
        public let name: String
        public let seconds: Double
        /// The process's CPU time (user and system, every thread) during the phase.
        public let cpuSeconds: Double
    }

    /// A point in time a phase is measured from.
    public struct Mark: Sendable {
        let wall: UInt64
        let cpu: Double

        /// Now.
        public static func now() -> Mark { Mark(wall: DispatchTime.now().uptimeNanoseconds, cpu: LintTimings.processCPUSeconds()) }
    }

    /// One rule's share.
    public struct RuleTime: Sendable {
        public let id: String
        public let nanoseconds: UInt64
        public let objects: Int
        /// Violations found, suppressed ones included.
        public let findings: Int
    }

    /// Phases in the order they ran.
    public var phases: [Phase] = []
    /// Rules in id order.
    public var rules: [RuleTime] = []

    /// Adds a phase that took from `start` until now.
    public mutating func phase(_ name: String, since start: Mark) {
        let end = Mark.now()
        phases.append(Phase(name: name, seconds: Double(end.wall - start.wall) / 1e9, cpuSeconds: end.cpu - start.cpu))
    }

    /// The table `--timings` prints: phases, then rules by time spent (ties by id), all of them.
    public func table() -> String {
        var out = Self.pad("phase", 40) + " wall ms   cpu ms\n"
        for phase in phases {
            out +=
                Self.pad(phase.name, 40) + " " + Self.number(phase.seconds * 1000, width: 8) + " "
                + Self.number(phase.cpuSeconds * 1000, width: 8) + "\n"
        }
        let checks = rules.reduce(0) { $0 + $1.nanoseconds }
        out += "\nrule                                         ms  objects     found   share\n"
        let byCost = rules.sorted { ($0.nanoseconds, $1.id) > ($1.nanoseconds, $0.id) }
        for rule in byCost {
            let share = checks == 0 ? 0 : Double(rule.nanoseconds) / Double(checks) * 100
            out +=
                Self.pad(rule.id, 40) + " " + Self.pad(String(format: "%.2f", Double(rule.nanoseconds) / 1e6), 8, right: true) + " "
                + Self.pad(String(rule.objects), 8, right: true) + " " + Self.pad(String(rule.findings), 9, right: true) + " "
                + Self.number(share, width: 6) + "%\n"
        }
        out += Self.pad("all rules (CPU)", 40) + " " + Self.number(Double(checks) / 1e6, width: 8) + "\n"
        return out
    }

    /// User and system CPU time of the whole process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    static func number(_ value: Double, width: Int) -> String { pad(String(format: "%.1f", value), width, right: true) }
}
