/// How serious a finding or diagnostic is; `--fail-on` compares against it.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case info, warning, error

    /// Orders info < warning < error.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// The word a compiler-style diagnostic line uses: `note` for info, else the raw value.
    public var diagnosticLabel: String { self == .info ? "note" : rawValue }

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        }
    }
}
