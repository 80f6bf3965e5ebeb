import KomplyCore

/// Flags environment variables a container defines more than once (the last one silently wins).
public struct DuplicateEnvCheck: Check {
    /// No parameters.
    public struct Parameters: Decodable, Sendable {}

    public static let name = "DuplicateEnv"
    static let message = "defines environment variable %@ more than once"

    public init(parameters: Parameters) {}

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        var violations: [Violation] = []
        for container in context.containers(of: object) {
            var seen = Set<String>()
            container.forEachEnvItem { item in
                item.withPair(forKey: "name") { pair in
                    guard case .scalar(let name, _) = pair.value.content, !seen.insert(name).inserted else { return }
                    violations.append(
                        Violation(
                            range: CheckSupport.range(pair), file: object.file,
                            message: context.message(Self.message).replacingPlaceholders(with: name),
                            container: container.name, path: "\(container.path).env[\(name)]", fix: nil))
                }
            }
        }
        return violations
    }
}
