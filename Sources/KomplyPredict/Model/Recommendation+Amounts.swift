import KomplyCore

extension Recommendation {
    /// The same numbers in cores and bytes.
    public var amounts: ResourceAmounts {
        ResourceAmounts(
            cpuRequest: Double(cpuRequest.milliValue) / 1000, cpuLimit: cpuLimit.map { Double($0.milliValue) / 1000 },
            memoryRequest: Double(memoryRequest.bytes), memoryLimit: Double(memoryLimit.bytes))
    }
}
