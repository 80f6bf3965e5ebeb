import KomplyCore

/// Checks Linux capabilities: `mode: drop` requires `capabilities.drop` to include every entry of
/// `capabilities`; `mode: forbidAdd` flags added capabilities in the list; `mode: allowAdd` flags
/// added capabilities outside the list. Names compare case-insensitively, without `CAP_`.
public struct CapabilitiesCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// How `capabilities` is used.
        public var mode: Mode
        /// Capability names.
        public var capabilities: [String]
    }

    /// Modes.
    public enum Mode: String, Decodable, Sendable { case drop, forbidAdd, allowAdd }

    public static let name = "Capabilities"
    static let notDropped = "does not drop %@ capabilities"
    static let added = "adds capability %@"
    let parameters: Parameters
    /// The parameter's capabilities, normalized once.
    let wanted: Set<String>
    /// For a container that drops nothing (the usual finding): the missing names, message predicate
    /// and fix summary, built once.
    let allMissing: (names: [String], message: String, summary: String)

    public init(parameters: Parameters) {
        self.parameters = parameters
        wanted = Set(parameters.capabilities.map(Self.normalize))
        let names = wanted.sorted()
        allMissing = (names, Self.notDropped(names), Self.dropSummary(names))
    }

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        var violations: [Violation] = []
        for container in context.containers(of: object) {
            let capabilities = container.node.value(at: ["securityContext", "capabilities"])
            switch parameters.mode {
            case .drop:
                var dropped = Set<String>()
                capabilities?.withValue(forKey: "drop") { list in
                    list.forEachItem { item in if case .scalar(let name, _) = item.content { dropped.insert(Self.normalize(name)) } }
                }
                guard !dropped.contains("ALL"), !wanted.isSubset(of: dropped) else { continue }
                let missing = dropped.isEmpty ? allMissing.names : wanted.subtracting(dropped).sorted()
                var range = CheckSupport.anchor(container.node, ["securityContext", "capabilities"])
                if let pair = capabilities?.pair("drop") { range = CheckSupport.range(pair) }
                let edits = missing.map {
                    Fix.Edit(
                        anchor: container.node, path: ["securityContext", "capabilities", "drop"], value: .string($0), mode: .appendToList)
                }
                violations.append(
                    Violation(
                        range: range, file: object.file,
                        message: context.message(dropped.isEmpty ? allMissing.message : Self.notDropped(missing)),
                        container: container.name, path: String.joining(container.path, ".securityContext.capabilities.drop"),
                        fix: Fix(summary: dropped.isEmpty ? allMissing.summary : Self.dropSummary(missing), edits: edits)))
            case .forbidAdd, .allowAdd:
                for item in capabilities?["add"]?.sequence ?? [] {
                    guard let name = item.scalar else { continue }
                    let listed = wanted.contains(Self.normalize(name))
                    guard parameters.mode == .forbidAdd ? listed : !listed else { continue }
                    violations.append(
                        Violation(
                            node: item, message: context.message(Self.added.replacingPlaceholders(with: name)),
                            container: container.name, path: "\(container.path).securityContext.capabilities.add[\(name)]"))
                }
            }
        }
        return violations
    }

    static func notDropped(_ missing: [String]) -> String {
        Self.notDropped.replacingPlaceholders(with: missing.joined(separator: ", "))
    }

    static func dropSummary(_ missing: [String]) -> String {
        "add \(missing.joined(separator: ", ")) to securityContext.capabilities.drop"
    }

    static func normalize(_ name: String) -> String {
        let upper = name.uppercased()
        return upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
    }
}
