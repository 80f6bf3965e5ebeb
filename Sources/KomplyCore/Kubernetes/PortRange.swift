/// A container port or a range of ports with its protocol, as compose `expose` writes them:
/// `80`, `8000-8010`, `53/udp`.
public struct PortRange: Sendable, Hashable, CustomStringConvertible {
    /// The first port.
    public let start: Int
    /// The last port (equal to `start` for a single port).
    public let end: Int
    /// `tcp`, `udp` or `sctp`, lowercase.
    public let `protocol`: String
    /// The text it was read from, printed back so a canonical model keeps the user's spelling.
    private let spelling: String

    /// The protocols a port can have.
    public static let protocols: Set<String> = ["tcp", "udp", "sctp"]

    /// A range from its parts, or nil when a port is outside 0–65535, `end < start` or the protocol is unknown.
    public init?(start: Int, end: Int? = nil, protocol: String = "tcp") {
        let end = end ?? start
        let proto = `protocol`.lowercased()
        guard (0...65535).contains(start), (start...65535).contains(end), Self.protocols.contains(proto) else { return nil }
        self.start = start
        self.end = end
        self.protocol = proto
        spelling = (start == end ? "\(start)" : "\(start)-\(end)") + (proto == "tcp" ? "" : "/\(proto)")
    }

    /// Parses `PORT`, `START-END`, either followed by `/PROTOCOL`; nil for anything else.
    public init?(parsing text: String) {
        var spec = Substring(text)
        var proto = "tcp"
        if let slash = spec.lastIndex(of: "/") {
            proto = String(spec[spec.index(after: slash)...])
            spec = spec[..<slash]
        }
        guard let bounds = Self.bounds(spec), let parsed = PortRange(start: bounds.lowerBound, end: bounds.upperBound, protocol: proto)
        else { return nil }
        self.init(start: parsed.start, end: parsed.end, protocol: parsed.protocol, spelling: text)
    }

    /// Every port of the range, in order.
    public var ports: ClosedRange<Int> { start...end }

    /// The range as it was written (`8000-8010/udp`).
    public var description: String { spelling }

    /// `PORT` or `START-END` without a protocol, each port in 0–65535 and `START ≤ END`.
    public static func bounds(_ text: Substring) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let low = Int(parts[0]), (0...65535).contains(low) else { return nil }
        guard parts.count == 2 else { return low...low }
        guard let high = Int(parts[1]), high >= low, high <= 65535 else { return nil }
        return low...high
    }
}

private extension PortRange {
    /// A checked range with its spelling.
    init(start: Int, end: Int, protocol: String, spelling: String) {
        self.start = start
        self.end = end
        self.protocol = `protocol`
        self.spelling = spelling
    }
}

extension PortRange: ExpressibleByStringLiteral {
    /// A range written in code (`"5432"`, `"53/udp"`); the literal must parse.
    public init(stringLiteral value: String) {
        guard let parsed = PortRange(parsing: value) else { preconditionFailure("\"\(value)\" is not a port range") }
        self = parsed
    }
}
