import Foundation

/// An exact Kubernetes resource quantity (CPU, memory, storage), kept to the nano (1e-9) like
/// `resource.Quantity` in k8s.io/apimachinery.
///
/// Two quantities are equal when they denote the same amount, whatever their format
/// (`1000m == 1`, `1Ki == 1024`). Every rounding rounds up in magnitude (away from zero), as
/// Kubernetes does: asking for some resources never yields none.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The notation a quantity is written in; parsing keeps the input's family.
    public enum Format: Sendable, Hashable, CaseIterable {
        /// Powers of ten with SI suffixes `n u m k M G T P E` (`500m`, `1500M`).
        case decimalSI
        /// Powers of 1024 with suffixes `Ki Mi Gi Ti Pi Ei` (`512Mi`); amounts that are not whole
        /// numbers of at least 1024 fall back to decimal SI, like Kubernetes.
        case binarySI
        /// A power of ten written as an exponent that is a multiple of three (`1e3`, `12e6`).
        case decimalExponent
    }

    /// The zero quantity, written `0`.
    public static let zero = Quantity(negative: false, nanos: .zero, format: .decimalSI)

    /// The notation `description` uses: the family of the parsed text's suffix.
    public let format: Format

    // Sign and magnitude in nano-units; a zero magnitude is never negative. 128 bits hold every
    // amount Kubernetes accepts (it caps at 2^63 - 1 units) to the nano, without `Int128`, which
    // needs macOS 15.
    private let negative: Bool
    private let nanos: Wide

    /// Parses quantity text such as `100m`, `1.5Gi`, `12e6` or `-.5`; digits finer than 1n round up.
    public init(parsing text: String) throws(CoreError) {
        self = try Quantity.parse(text)
    }

    /// A CPU amount of `milliCPU` thousandths of a core, in decimal SI (`Quantity(milliCPU: 250)` is `250m`).
    public init(milliCPU: Int) {
        let nanos = Wide.product(UInt64(milliCPU.magnitude), 1_000_000)
        self.init(negative: milliCPU < 0, nanos: nanos, format: .decimalSI)
    }

    /// A memory or storage amount of `bytes` bytes (`Quantity(bytes: 1 << 30)` is `1Gi`).
    public init(bytes: Int, format: Format = .binarySI) {
        self.init(negative: bytes < 0, nanos: Wide.product(UInt64(bytes.magnitude), Self.nanosPerUnit), format: format)
    }

    /// The Kubernetes canonical form in this quantity's own format (`1024Mi` → `1Gi`, `0.5` → `500m`).
    public var description: String {
        formatted(as: format)
    }

    /// The Kubernetes canonical form in `format`, falling back to decimal SI where binary SI would
    /// not be exact or the amount is below 1024.
    public func formatted(as format: Format) -> String {
        canonical(in: format)
    }

    /// Whether the amount is zero.
    public var isZero: Bool {
        nanos.isZero
    }

    /// Whether the amount is below zero.
    public var isNegative: Bool {
        negative
    }

    /// The amount in whole units, rounded up in magnitude and clamped to `Int` (Kubernetes' `Value()`).
    public var value: Int {
        clampedInteger(nanosPerStep: Self.nanosPerUnit)
    }

    /// The amount in thousandths (millicores for CPU), rounded up in magnitude and clamped to `Int`.
    public var milliValue: Int {
        clampedInteger(nanosPerStep: 1_000_000)
    }

    /// The amount of a memory or storage quantity in bytes, rounded up and clamped to `Int`.
    public var bytes: Int {
        value
    }

    /// The sum, in this quantity's format (in `other`'s when this one is zero, like Kubernetes).
    public func adding(_ other: Quantity) throws(CoreError) -> Quantity {
        guard let sum = Self.signedSum(negative, nanos, other.negative, other.nanos) else {
            throw .quantityOutOfRange("\(self) + \(other)", limit: Self.limitText)
        }
        return Quantity(negative: sum.negative, nanos: sum.nanos, format: isZero ? other.format : format)
    }

    /// The difference, in this quantity's format (in `other`'s when this one is zero).
    public func subtracting(_ other: Quantity) throws(CoreError) -> Quantity {
        guard let sum = Self.signedSum(negative, nanos, !other.negative, other.nanos) else {
            throw .quantityOutOfRange("\(self) - \(other)", limit: Self.limitText)
        }
        return Quantity(negative: sum.negative, nanos: sum.nanos, format: isZero ? other.format : format)
    }

    /// The same amount with the opposite sign.
    public func negated() -> Quantity {
        Quantity(negative: !negative, nanos: nanos, format: format)
    }

    /// The amount times a whole number, exactly (`2 × 512Mi` is `1Gi`).
    public func multiplied(by factor: Int) throws(CoreError) -> Quantity {
        guard let product = nanos.multiplied(by: UInt64(factor.magnitude)) else {
            throw .quantityOutOfRange("\(self) × \(factor)", limit: Self.limitText)
        }
        return Quantity(negative: negative != (factor < 0), nanos: product, format: format)
    }

    /// The amount times `numerator / denominator`, rounded up in magnitude to 1n (`by: 23, over: 20` adds 15 %).
    public func scaled(by numerator: Int, over denominator: Int) throws(CoreError) -> Quantity {
        guard denominator != 0 else {
            throw .invalidArgument("denominator", value: "0", expected: "a non-zero whole number")
        }
        let magnitudes = (UInt64(numerator.magnitude), UInt64(denominator.magnitude))
        guard let scaled = nanos.multipliedRoundingUp(by: magnitudes.0, over: magnitudes.1) else {
            throw .quantityOutOfRange("\(self) × \(numerator)/\(denominator)", limit: Self.limitText)
        }
        return Quantity(negative: negative != ((numerator < 0) != (denominator < 0)), nanos: scaled, format: format)
    }

    /// The amount times `factor`, taken as the decimal it prints as (1.15 is exactly 115/100), rounded
    /// up in magnitude to 1n; chain `roundedUp(toMultipleOf:)` for coarser steps such as 1m or 1 byte.
    public func scaled(by factor: Double) throws(CoreError) -> Quantity {
        guard factor.isFinite, let ratio = Self.decimalRatio(of: factor.magnitude) else {
            throw .invalidArgument("scale factor", value: "\(factor)", expected: "a finite number")
        }
        guard let scaled = nanos.multipliedRoundingUp(by: ratio.digits, timesPowerOfTen: ratio.exponent) else {
            throw .quantityOutOfRange("\(self) × \(factor)", limit: Self.limitText)
        }
        return Quantity(negative: negative != (factor < 0), nanos: scaled, format: format)
    }

    /// The amount rounded up in magnitude to a multiple of `step` (`1m` for CPU, `1` or `1Mi` for memory).
    public func roundedUp(toMultipleOf step: Quantity) throws(CoreError) -> Quantity {
        guard !step.isZero, !step.isNegative else {
            throw .invalidArgument("rounding step", value: step.description, expected: "a quantity above zero")
        }
        let remainder = nanos.remainder(dividingBy: step.nanos)
        if remainder.isZero {
            return self
        }
        guard let rounded = nanos.adding(step.nanos.subtracting(remainder)) else {
            throw .quantityOutOfRange("\(self) rounded up to a multiple of \(step)", limit: Self.limitText)
        }
        return Quantity(negative: negative, nanos: rounded, format: format)
    }

    /// Parses a docker/compose byte size (`512M`, `1.5g`, `128kb`, `1 GiB`, `100`) like docker's
    /// `RAMInBytes`: units k, m, g, t, p are powers of 1024, case-insensitive, with an optional `b`
    /// or `ib`; fractions of a byte are truncated.
    public static func parseComposeByteSize(_ text: String) throws(CoreError) -> Int64 {
        try parseByteSize(text)
    }

    /// Whether both denote the same amount, whatever their formats.
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool {
        lhs.negative == rhs.negative && lhs.nanos == rhs.nanos
    }

    /// Orders by amount (`1G < 1Gi`, `-1 < 0`).
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        switch (lhs.negative, rhs.negative) {
        case (false, false): lhs.nanos < rhs.nanos
        case (true, true): rhs.nanos < lhs.nanos
        case (let lhsNegative, _): lhsNegative
        }
    }

    /// Hashes the amount only, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(negative)
        hasher.combine(nanos)
    }
}

private extension Quantity {
    static let nanosPerUnit: UInt64 = 1_000_000_000
    static let limitText = "about 3.4e29 (2^128 - 1 nano-units)"
    static let decimalSuffixes: [Int: String] = [
        -9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E",
    ]
    static let binarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

    init(negative: Bool, nanos: Wide, format: Format) {
        self.negative = negative && !nanos.isZero
        self.nanos = nanos
        self.format = format
    }

    /// Reads `<sign>? <digits>? (. <digits>?)? <suffix>` as k8s `ParseQuantity` does.
    static func parse(_ text: String) throws(CoreError) -> Quantity {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        let integerStart = index
        while index < bytes.count, bytes[index].isASCIIDigit { index += 1 }
        let integerDigits = bytes[integerStart..<index]
        var fractionDigits = bytes[index..<index]
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, bytes[index].isASCIIDigit { index += 1 }
            fractionDigits = bytes[fractionStart..<index]
        }
        guard !integerDigits.isEmpty || !fractionDigits.isEmpty,
            let suffix = Suffix(bytes[index...])
        else {
            throw .invalidQuantity(text)
        }
        var number = DecimalDigits(integer: integerDigits, fraction: fractionDigits)
        for _ in 0..<suffix.powersOf1024 {
            number.multiply(by: 1024)
        }
        let (whole, hasRemainder) = number.floorScaled(byPowerOfTen: 9 + suffix.powerOfTen)
        // Finer than 1n rounds up, so that asking for some resources never yields none.
        guard let whole, let nanos = hasRemainder ? whole.adding(Wide(1)) : whole else {
            throw .quantityOutOfRange(text, limit: limitText)
        }
        var format = suffix.format
        if format == .binarySI, !nanos.isZero, nanos < Wide(nanosPerUnit) {
            format = .decimalSI
        }
        return Quantity(negative: negative, nanos: nanos, format: format)
    }

    func canonical(in requested: Format) -> String {
        if nanos.isZero {
            return "0"
        }
        let sign = negative ? "-" : ""
        let (units, fraction) = nanos.quotientAndRemainder(dividingBy: Self.nanosPerUnit)
        if requested == .binarySI, fraction == 0, units >= Wide(1024) {
            var mantissa = units
            var exponent = 0
            while exponent < Self.binarySuffixes.count - 1 {
                let (quotient, remainder) = mantissa.quotientAndRemainder(dividingBy: 1024)
                guard remainder == 0 else { break }
                mantissa = quotient
                exponent += 1
            }
            return sign + mantissa.decimalText + Self.binarySuffixes[exponent]
        }
        var mantissa = nanos
        var exponent = -9
        while true {
            let (quotient, remainder) = mantissa.quotientAndRemainder(dividingBy: 10)
            guard remainder == 0 else { break }
            mantissa = quotient
            exponent += 1
        }
        // Floor modulo: exponents go down to -9, and Swift's % keeps the dividend's sign.
        var shift = (exponent % 3 + 3) % 3
        if requested != .decimalExponent, exponent > 18 {
            shift = exponent - 18
        }
        // Cannot overflow: the mantissa only grows back towards `nanos`.
        mantissa = mantissa.multiplied(byPowerOfTen: shift)!
        exponent -= shift
        if requested == .decimalExponent {
            return sign + mantissa.decimalText + (exponent == 0 ? "" : "e\(exponent)")
        }
        return sign + mantissa.decimalText + (Self.decimalSuffixes[exponent] ?? "")
    }

    func clampedInteger(nanosPerStep: UInt64) -> Int {
        let (quotient, remainder) = nanos.quotientAndRemainder(dividingBy: nanosPerStep)
        let steps = remainder == 0 ? quotient : quotient.adding(Wide(1)) ?? .max
        let limit = negative ? UInt64(Int.min.magnitude) : UInt64(Int.max)
        guard steps.high == 0, steps.low <= limit else {
            return negative ? .min : .max
        }
        return negative ? Int(truncatingIfNeeded: 0 &- steps.low) : Int(steps.low)
    }

    static func signedSum(
        _ lhsNegative: Bool, _ lhs: Wide, _ rhsNegative: Bool, _ rhs: Wide
    ) -> (negative: Bool, nanos: Wide)? {
        if lhsNegative == rhsNegative {
            return lhs.adding(rhs).map { (lhsNegative, $0) }
        }
        return lhs < rhs ? (rhsNegative, rhs.subtracting(lhs)) : (lhsNegative, lhs.subtracting(rhs))
    }

    /// `value` as `digits × 10^exponent`, read from its shortest round-tripping decimal text.
    static func decimalRatio(of value: Double) -> (digits: UInt64, exponent: Int)? {
        let parts = "\(value)".split(separator: "e", omittingEmptySubsequences: false)
        guard let mantissa = parts.first, parts.count <= 2 else { return nil }
        var digits: UInt64 = 0
        var fractionCount = 0
        var seenPoint = false
        for character in mantissa.utf8 {
            if character == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            guard character.isASCIIDigit else { return nil }
            let (times10, overflow) = digits.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            digits = times10 + UInt64(character - UInt8(ascii: "0"))
            fractionCount += seenPoint ? 1 : 0
        }
        let exponent = parts.count == 2 ? Int(parts[1]) : 0
        return exponent.map { (digits, $0 - fractionCount) }
    }

    static func parseByteSize(_ text: String) throws(CoreError) -> Int64 {
        let bytes = Array(text.utf8)
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") {
            index += 1
        }
        let integerStart = index
        while index < bytes.count, bytes[index].isASCIIDigit { index += 1 }
        let integerDigits = bytes[integerStart..<index]
        var fractionDigits = bytes[index..<index]
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, bytes[index].isASCIIDigit { index += 1 }
            fractionDigits = bytes[fractionStart..<index]
        }
        // Docker allows one space between the number and the unit.
        if index < bytes.count, bytes[index] == UInt8(ascii: " ") {
            index += 1
        }
        let unit = String(decoding: bytes[index...], as: UTF8.self).lowercased()
        guard !integerDigits.isEmpty || !fractionDigits.isEmpty, let powersOf1024 = byteUnitPowers(unit) else {
            throw .invalidByteSize(text)
        }
        var number = DecimalDigits(integer: integerDigits, fraction: fractionDigits)
        for _ in 0..<powersOf1024 {
            number.multiply(by: 1024)
        }
        guard let whole = number.floorScaled(byPowerOfTen: 0).value, whole.high == 0,
            whole.low <= UInt64(Int64.max)
        else {
            throw .quantityOutOfRange(text, limit: "\(Int64.max) bytes")
        }
        return Int64(whole.low)
    }

    static func byteUnitPowers(_ unit: String) -> Int? {
        if unit.isEmpty || unit == "b" {
            return 0
        }
        guard let power = ["k", "m", "g", "t", "p"].firstIndex(of: String(unit.prefix(1))) else {
            return nil
        }
        return ["", "b", "ib"].contains(String(unit.dropFirst())) ? power + 1 : nil
    }
}

/// A quantity suffix: the power of ten or of 1024 it multiplies by, and its format family.
private struct Suffix {
    let format: Quantity.Format
    let powerOfTen: Int
    let powersOf1024: Int

    static let decimal = ["": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
    static let binary = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]

    init?(_ text: ArraySlice<UInt8>) {
        let string = String(decoding: text, as: UTF8.self)
        if let power = Suffix.decimal[string] {
            (format, powerOfTen, powersOf1024) = (.decimalSI, power, 0)
        } else if let power = Suffix.binary[string] {
            (format, powerOfTen, powersOf1024) = (.binarySI, 0, power)
        } else if let exponent = Suffix.exponent(text) {
            (format, powerOfTen, powersOf1024) = (.decimalExponent, exponent, 0)
        } else {
            return nil
        }
    }

    /// Reads `e` or `E` followed by a signed integer; `E` alone is exa and never gets here.
    static func exponent(_ text: ArraySlice<UInt8>) -> Int? {
        guard let first = text.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else {
            return nil
        }
        var digits = text.dropFirst()
        let negative = digits.first == UInt8(ascii: "-")
        if digits.first == UInt8(ascii: "-") || digits.first == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else {
            return nil
        }
        // Past a trillion, any non-zero mantissa is out of range or rounds to 1n; clamping keeps
        // the arithmetic on positions from overflowing.
        let clamp = 1_000_000_000_000
        var magnitude = 0
        for digit in digits where magnitude < clamp {
            magnitude = magnitude * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return negative ? -min(magnitude, clamp) : min(magnitude, clamp)
    }
}

/// A non-negative decimal number as its digits, least significant first, and a point position.
private struct DecimalDigits {
    var digits: [UInt8]
    let fractionCount: Int

    init(integer: ArraySlice<UInt8>, fraction: ArraySlice<UInt8>) {
        digits = (integer + fraction).reversed().map { $0 - UInt8(ascii: "0") }
        fractionCount = fraction.count
    }

    /// Multiplies exactly, in place, by a small factor.
    mutating func multiply(by factor: UInt) {
        var carry: UInt = 0
        for index in digits.indices {
            let product = UInt(digits[index]) * factor + carry
            digits[index] = UInt8(product % 10)
            carry = product / 10
        }
        while carry > 0 {
            digits.append(UInt8(carry % 10))
            carry /= 10
        }
    }

    /// `floor(self × 10^shift)` (nil when it overflows 128 bits) and whether anything was cut off.
    func floorScaled(byPowerOfTen shift: Int) -> (value: Wide?, hasRemainder: Bool) {
        // Digit i is worth 10^(i - fractionCount + shift); those below 10^0 are cut off.
        let firstKept = max(0, fractionCount - shift)
        let hasRemainder = digits[..<min(firstKept, digits.count)].contains { $0 != 0 }
        var value = Wide.zero
        var index = digits.count - 1
        while index >= firstKept {
            guard let next = value.multiplied(by: 10)?.adding(Wide(UInt64(digits[index]))) else {
                return (nil, hasRemainder)
            }
            value = next
            index -= 1
        }
        if !value.isZero, shift > fractionCount {
            var zeros = shift - fractionCount
            while zeros > 0 {
                guard let next = value.multiplied(by: 10) else { return (nil, hasRemainder) }
                value = next
                zeros -= 1
            }
        }
        return (value, hasRemainder)
    }
}

/// An unsigned 128-bit integer with overflow-checked arithmetic, enough for quantities in nano-units.
private struct Wide: Hashable, Comparable, Sendable {
    var high: UInt64
    var low: UInt64

    static let zero = Wide(0)
    static let max = Wide(high: .max, low: .max)

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(_ value: UInt64) {
        self.init(high: 0, low: value)
    }

    static func < (lhs: Wide, rhs: Wide) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

private extension Wide {
    var isZero: Bool {
        high == 0 && low == 0
    }

    static func product(_ lhs: UInt64, _ rhs: UInt64) -> Wide {
        let (high, low) = lhs.multipliedFullWidth(by: rhs)
        return Wide(high: high, low: low)
    }

    func adding(_ other: Wide) -> Wide? {
        let (low, carry) = low.addingReportingOverflow(other.low)
        let (high, overflow1) = high.addingReportingOverflow(other.high)
        let (result, overflow2) = high.addingReportingOverflow(carry ? 1 : 0)
        return overflow1 || overflow2 ? nil : Wide(high: result, low: low)
    }

    /// `self - other`, wrapping; callers ensure `other <= self` unless they want the wrap.
    func subtracting(_ other: Wide) -> Wide {
        let (low, borrow) = low.subtractingReportingOverflow(other.low)
        return Wide(high: high &- other.high &- (borrow ? 1 : 0), low: low)
    }

    func multiplied(by factor: UInt64) -> Wide? {
        let lowProduct = low.multipliedFullWidth(by: factor)
        let highProduct = high.multipliedFullWidth(by: factor)
        let (high, overflow) = highProduct.low.addingReportingOverflow(lowProduct.high)
        return highProduct.high != 0 || overflow ? nil : Wide(high: high, low: lowProduct.low)
    }

    func multiplied(byPowerOfTen exponent: Int) -> Wide? {
        var result = self
        for _ in 0..<Swift.max(0, exponent) where !result.isZero {
            guard let next = result.multiplied(by: 10) else { return nil }
            result = next
        }
        return result
    }

    func quotientAndRemainder(dividingBy divisor: UInt64) -> (quotient: Wide, remainder: UInt64) {
        let (highQuotient, highRemainder) = high.quotientAndRemainder(dividingBy: divisor)
        // highRemainder < divisor, so the quotient fits in 64 bits.
        let (lowQuotient, remainder) = divisor.dividingFullWidth((high: highRemainder, low: low))
        return (Wide(high: highQuotient, low: lowQuotient), remainder)
    }

    /// The remainder of dividing by a non-zero `divisor`, by binary long division.
    func remainder(dividingBy divisor: Wide) -> Wide {
        if divisor.high == 0 {
            return Wide(quotientAndRemainder(dividingBy: divisor.low).remainder)
        }
        var remainder = Wide.zero
        for bit in stride(from: 127, through: 0, by: -1) {
            let carry = remainder.high >> 63 == 1
            let incoming = (bit >= 64 ? high >> UInt64(bit - 64) : low >> UInt64(bit)) & 1
            remainder = Wide(high: remainder.high << 1 | remainder.low >> 63, low: remainder.low << 1 | incoming)
            // With a carry the true value is 2^128 more, so above the divisor; the wrap restores it.
            if carry || remainder >= divisor {
                remainder = remainder.subtracting(divisor)
            }
        }
        return remainder
    }

    /// `ceil(self × numerator / denominator)` without an intermediate overflow; nil if the result overflows.
    func multipliedRoundingUp(by numerator: UInt64, over denominator: UInt64) -> Wide? {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: denominator)
        // remainder < denominator <= 2^63 and numerator <= 2^63, so their product fits.
        let (part, partRemainder) = Wide.product(remainder, numerator).quotientAndRemainder(dividingBy: denominator)
        guard let whole = quotient.multiplied(by: numerator), let sum = whole.adding(part) else {
            return nil
        }
        return partRemainder == 0 ? sum : sum.adding(Wide(1))
    }

    /// `ceil(self × digits × 10^exponent)`; divides in steps of at most 10^18, which
    /// rounds the same as one division because ceil(ceil(x) / n) == ceil(x / n).
    func multipliedRoundingUp(by digits: UInt64, timesPowerOfTen exponent: Int) -> Wide? {
        if exponent >= 0 {
            return multiplied(by: digits)?.multiplied(byPowerOfTen: exponent)
        }
        var remaining = -exponent
        var step = Swift.min(remaining, 18)
        guard var result = multipliedRoundingUp(by: digits, over: Wide.powerOfTen(step)) else {
            return nil
        }
        remaining -= step
        while remaining > 0, Wide(1) < result {
            step = Swift.min(remaining, 18)
            let (quotient, remainder) = result.quotientAndRemainder(dividingBy: Wide.powerOfTen(step))
            result = remainder == 0 ? quotient : quotient.adding(Wide(1)) ?? .max
            remaining -= step
        }
        return result
    }

    static func powerOfTen(_ exponent: Int) -> UInt64 {
        (0..<exponent).reduce(1) { power, _ in power * 10 }
    }

    var decimalText: String {
        if high == 0 {
            return String(low)
        }
        let chunk: UInt64 = 10_000_000_000_000_000_000
        var chunks: [String] = []
        var rest = self
        while !rest.isZero {
            let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: chunk)
            chunks.append(String(remainder))
            rest = quotient
        }
        let padded = chunks.dropLast().map { String(repeating: "0", count: 19 - $0.count) + $0 }
        return ([chunks.last!] + padded.reversed()).joined()
    }
}

private extension UInt8 {
    var isASCIIDigit: Bool {
        self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")
    }
}
