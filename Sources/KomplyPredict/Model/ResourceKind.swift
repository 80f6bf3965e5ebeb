/// Which resource a sample measures.
public enum ResourceKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// CPU in cores (usage rate averaged over the sample interval).
    case cpu
    /// Working-set memory in bytes.
    case memory
}
