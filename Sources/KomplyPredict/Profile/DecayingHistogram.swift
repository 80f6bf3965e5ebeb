import Foundation

/// Bucket layout of an exponential histogram, as the Kubernetes VPA recommender defines it.
///
/// Bucket `b` starts at `firstBucketSize × (ratio^b − 1) / (ratio − 1)`; the last bucket is open.
public struct HistogramOptions: Sendable, Hashable, Codable {
    /// Upper end of the covered range.
    public var maxValue: Double
    /// Width of the first bucket.
    public var firstBucketSize: Double
    /// Each bucket is `ratio` times wider than the previous one.
    public var ratio: Double
    /// Weights below this count as zero.
    public var epsilon: Double

    /// Creates options.
    public init(maxValue: Double, firstBucketSize: Double, ratio: Double, epsilon: Double = 0.0001) {
        self.maxValue = maxValue
        self.firstBucketSize = firstBucketSize
        self.ratio = ratio
        self.epsilon = epsilon
    }

    /// The VPA's CPU histogram: 0.01 cores first bucket, 5 % growth, up to 1000 cores.
    public static let cpu = HistogramOptions(maxValue: 1000, firstBucketSize: 0.01, ratio: 1.05)
    /// The VPA's memory histogram: 10 MB first bucket, 5 % growth, up to 1 TB.
    public static let memory = HistogramOptions(maxValue: 1e12, firstBucketSize: 1e7, ratio: 1.05)

    /// How many buckets there are: `⌈log(maxValue × (ratio − 1) / firstBucketSize + 1) / log(ratio)⌉ + 1`.
    public var bucketCount: Int {
        Int((log(maxValue * (ratio - 1) / firstBucketSize + 1) / log(ratio)).rounded(.up)) + 1
    }

    /// The bucket holding `value`: `⌊log(value × (ratio − 1) / firstBucketSize + 1) / log(ratio)⌋`, clamped.
    public func bucket(for value: Double) -> Int {
        guard value >= firstBucketSize else { return 0 }
        let index = Int((log(value * (ratio - 1) / firstBucketSize + 1) / log(ratio)).rounded(.down))
        return min(max(index, 0), bucketCount - 1)
    }

    /// Where bucket `bucket` starts.
    public func bucketStart(_ bucket: Int) -> Double {
        firstBucketSize * (pow(ratio, Double(bucket)) - 1) / (ratio - 1)
    }
}

/// A histogram whose sample weights grow by 2^(Δt / halfLife), so older samples count for less.
///
/// Mirrors `decayingHistogram` of the VPA recommender: the reference time is the first sample's
/// time rounded to a multiple of the half-life, and is moved forward (rescaling every weight by a
/// power of two) before an exponent would exceed 100.
public struct DecayingHistogram: Sendable, Hashable, Codable {
    /// The bucket layout.
    public var options: HistogramOptions
    /// Seconds after which a sample's weight halves relative to a new one.
    public var halfLife: Double
    /// The time (seconds since 1970) at which the decay factor is 1; nil before the first sample.
    public private(set) var referenceTime: Double?
    /// Weight per bucket index (only non-zero buckets).
    public private(set) var weights: [Int: Double] = [:]

    /// Creates an empty histogram.
    public init(options: HistogramOptions, halfLife: Double = 24 * 3600) {
        self.options = options
        self.halfLife = halfLife
    }

    /// The sum of all weights.
    public var totalWeight: Double { weights.values.reduce(0, +) }

    /// True when no bucket holds more than epsilon.
    public var isEmpty: Bool { !weights.values.contains { $0 >= options.epsilon } }

    /// Adds `value` with `weight × 2^((time − reference) / halfLife)`.
    public mutating func add(_ value: Double, weight: Double, at time: Double) {
        guard value.isFinite, weight.isFinite, weight > 0 else { return }
        let scaled = weight * decayFactor(at: time)
        weights[options.bucket(for: max(0, value)), default: 0] += scaled
    }

    /// Removes what `add` added for the same value, weight and time.
    public mutating func subtract(_ value: Double, weight: Double, at time: Double) {
        guard value.isFinite, weight.isFinite, weight > 0 else { return }
        let bucket = options.bucket(for: max(0, value))
        let remaining = (weights[bucket] ?? 0) - weight * decayFactor(at: time)
        weights[bucket] = remaining < options.epsilon ? nil : remaining
    }

    /// The end of the bucket where the running weight first reaches `percentile × totalWeight`
    /// (the start of the last bucket when that is the one); 0 when empty.
    public func percentile(_ percentile: Double) -> Double {
        guard !isEmpty else { return 0 }
        let threshold = percentile * totalWeight
        var partial = 0.0
        let buckets = weights.keys.sorted()
        var chosen = buckets.last!
        for bucket in buckets {
            partial += weights[bucket]!
            if partial >= threshold {
                chosen = bucket
                break
            }
        }
        return chosen < options.bucketCount - 1 ? options.bucketStart(chosen + 1) : options.bucketStart(chosen)
    }
}

private extension DecayingHistogram {
    static let maxDecayExponent = 100.0

    mutating func decayFactor(at time: Double) -> Double {
        if referenceTime == nil || time > referenceTime! + halfLife * Self.maxDecayExponent {
            shiftReference(to: time)
        }
        return exp2((time - referenceTime!) / halfLife)
    }

    mutating func shiftReference(to time: Double) {
        let newReference = (time / halfLife).rounded() * halfLife
        if let old = referenceTime {
            let exponent = ((old - newReference) / halfLife).rounded()
            let factor = exp2(exponent)
            weights = weights.mapValues { $0 * factor }.filter { $0.value >= options.epsilon }
        }
        referenceTime = newReference
    }
}
