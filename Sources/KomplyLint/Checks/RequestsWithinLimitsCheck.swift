import KomplyCore

/// Flags containers whose request for a resource (`resources`: cpu, memory) exceeds its limit.
public struct RequestsWithinLimitsCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Resources to compare.
        public var resources: [String]?
    }

    public static let name = "RequestsWithinLimits"
    static let message = "requests %@ %@, more than its limit of %@"
    let resources: [String]

    public init(parameters: Parameters) { resources = parameters.resources ?? ["cpu", "memory"] }

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        context.containers(of: object).flatMap { container in
            resources.compactMap { resource -> Violation? in
                // Only the nodes found are copied: most containers set no requests, or no limits.
                guard
                    let requestPair = container.node.value(at: ["resources", "requests"])?.pair(resource),
                    let request = CheckSupport.quantity(requestPair.value),
                    let limitNode = container.node.value(at: ["resources", "limits", resource]),
                    let limit = CheckSupport.quantity(limitNode),
                    request > limit
                else { return nil }
                let text = JVMHeapCheck.fill(
                    context.message(Self.message), [resource, requestPair.value.scalar ?? "", limitNode.scalar ?? ""])
                return Violation(
                    range: CheckSupport.range(requestPair), file: object.file, message: text, container: container.name,
                    path: "\(container.path).resources.requests.\(resource)", fix: nil)
            }
        }
    }
}
