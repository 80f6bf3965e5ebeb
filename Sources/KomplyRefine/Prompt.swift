/// The two messages sent to the model: instructions and the service's facts.
public struct Prompt: Sendable, Hashable {
    /// The system message: what komply wants and the output contract.
    public var system: String
    /// The user message: policy, service, draft, sizing and examples.
    public var user: String

    /// Creates a prompt.
    public init(system: String, user: String) {
        self.system = system
        self.user = user
    }
}
