/// Something komply noticed about an input (a compose file, a manifest, komply.yaml), with the
/// position it concerns: the one diagnostic type every module reports warnings and notes with.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How serious it is.
    public var severity: Severity
    /// What was noticed, as a sentence.
    public var message: String
    /// Where, when known.
    public var location: SourceLocation?

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ message: String, at location: SourceLocation?) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `file:line:column: warning: message` (`note` for info, as compilers print it).
    public var description: String {
        (location.map { "\($0): " } ?? "") + "\(severity.diagnosticLabel): \(message)"
    }
}
