import Foundation

/// Resolves untagged plain scalars to null, booleans, numbers or strings.
public enum ScalarResolver {
    /// Which YAML schema decides what a plain scalar means.
    public enum Schema: Sendable {
        /// YAML 1.2 core schema (Go's yaml.v3, as Docker Compose reads files).
        case core
        /// YAML 1.1 (Go's yaml.v2, as Kubernetes reads manifests): `yes`, `on`, `0755`… are not strings.
        case yaml11
    }

    /// A resolved scalar.
    public enum Resolved: Sendable, Hashable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
    }

    /// Resolves a plain scalar's text under `schema`.
    public static func resolve(_ text: String, schema: Schema) -> Resolved {
        // Most numbers in manifests are plain decimals (ports, replicas): read from the bytes.
        if let i = plainDecimal(text) { return .int(i) }
        // Null and booleans start with a letter or `~`; numbers (and .inf, .nan) with a sign, a digit,
        // a dot or, in YAML 1.1, an underscore: any other text is a string, decided without parsing
        // it as an int and as a float.
        guard let first = text.utf8.first else { return .null }
        if mayStartNumber(first) {
            if let i = int(text, schema: schema) { return .int(i) }
            if let d = float(text, schema: schema) { return .float(d) }
            return .string(text)
        }
        if isNull(text) { return .null }
        if let b = bool(text, schema: schema) { return .bool(b) }
        return .string(text)
    }

    /// The value of up to 18 ASCII digits without a leading zero (or "0"): a decimal integer in
    /// both schemas. Nil for anything else, which the general rules then decide.
    static func plainDecimal(_ text: String) -> Int? {
        let value: Int?? = text.utf8.withContiguousStorageIfAvailable { bytes in
            guard (1...18).contains(bytes.count), bytes[0] != UInt8(ascii: "0") || bytes.count == 1 else { return nil }
            var value = 0
            for byte in bytes {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        return value ?? nil
    }

    /// The general rules (see `resolve`), kept for the tests that compare both paths.
    static func resolveWithoutFastPath(_ text: String, schema: Schema) -> Resolved {
        if isNull(text) { return .null }
        if let b = bool(text, schema: schema) { return .bool(b) }
        if let first = text.utf8.first, !mayStartNumber(first) { return .string(text) }
        if let i = int(text, schema: schema) { return .int(i) }
        if let d = float(text, schema: schema) { return .float(d) }
        return .string(text)
    }

    /// True when `text` means null.
    public static func isNull(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return true }
        guard first == UInt8(ascii: "~") || first == UInt8(ascii: "n") || first == UInt8(ascii: "N") else { return false }
        return text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// True when a plain scalar with this text could be read back as anything but this string,
    /// under either schema. The emitter quotes such strings.
    public static func isAmbiguous(_ text: String) -> Bool {
        if isNull(text) || text == "<<" || text == "=" { return true }
        if bool(text, schema: .yaml11) != nil { return true }
        for schema in [Schema.core, .yaml11] {
            if case .string = resolve(text, schema: schema) { continue }
            return true
        }
        // YAML 1.1 also reads sexagesimal numbers (`1:30`) and timestamps (`2001-12-14`); both start
        // with a sign or a digit, which keeps the regular expressions off the common path.
        guard let first = text.unicodeScalars.first, first == "-" || first == "+" || ("0"..."9").contains(first) else { return false }
        if text.range(of: #"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$"#, options: .regularExpression) != nil { return true }
        if text.range(of: #"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)"#, options: .regularExpression) != nil { return true }
        return false
    }
}

private extension ScalarResolver {
    static func mayStartNumber(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "_"): return true
        default: return false
        }
    }

    static func bool(_ text: String, schema: Schema) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: break
        }
        guard schema == .yaml11 else { return nil }
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "n", "N", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    static func int(_ text: String, schema: Schema) -> Int? {
        var body = Substring(text)
        var negative = false
        if body.first == "-" || body.first == "+" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty else { return nil }
        var radix = 10
        if body.hasPrefix("0x") {
            radix = 16
            body = body.dropFirst(2)
        } else if body.hasPrefix("0o") {
            radix = 8
            body = body.dropFirst(2)
        } else if schema == .yaml11, body.hasPrefix("0b") {
            radix = 2
            body = body.dropFirst(2)
        } else if schema == .yaml11, body.count > 1, body.hasPrefix("0") {
            radix = 8
            body = body.dropFirst()
        }
        if schema == .yaml11 { body = Substring(body.filter { $0 != "_" }) }
        guard !body.isEmpty, body.allSatisfy({ $0.isHexDigit }), let magnitude = Int(body, radix: radix) else {
            return nil
        }
        return negative ? -magnitude : magnitude
    }

    static func float(_ text: String, schema: Schema) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < scalars.count,
                ("0"..."9").contains(scalars[i]) || (schema == .yaml11 && scalars[i] == "_")
            {
                i += 1
            }
            return i - start
        }
        if i < scalars.count, scalars[i] == "-" || scalars[i] == "+" { i += 1 }
        var mantissa = digits()
        if i < scalars.count, scalars[i] == "." {
            i += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return nil }
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
            i += 1
            if i < scalars.count, scalars[i] == "-" || scalars[i] == "+" { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == scalars.count else { return nil }
        return Double(text.replacingOccurrences(of: "_", with: ""))
    }
}
