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
        context.containers(of: object).flatMap { container in
            var seen = Set<String>()
            return (container.node["env"]?.sequence ?? []).compactMap { item -> Violation? in
                guard let pair = item.pair("name"), let name = pair.value.scalar, !seen.insert(name).inserted else { return nil }
                return Violation(
                    range: CheckSupport.range(pair), file: object.file,
                    message: context.message(Self.message).replacingPlaceholders(with: name),
                    container: container.name, path: "\(container.path).env[\(name)]", fix: nil)
            }
        }
    }
}
