import KomplyCore

/// Typed reads of compose values that throw `SourcesError.invalid` with the node's position.
extension Node {
    /// A scalar as text (numbers and booleans as written); `path` names the key in messages.
    func text(_ path: String) throws(SourcesError) -> String {
        guard let text = scalar, !isNull else { throw mismatch(path, expected: "a string") }
        return text
    }

    /// A scalar as text, or nil when the value is null.
    func optionalText(_ path: String) throws(SourcesError) -> String? {
        isNull ? nil : try text(path)
    }

    /// A whole number.
    func integer(_ path: String) throws(SourcesError) -> Int {
        switch resolved() {
        case .int(let i): return i
        case .float(let d) where d == d.rounded() && abs(d) < 9e15: return Int(d)
        case .string(let s) where Int(s) != nil: return Int(s)!
        default: throw mismatch(path, expected: "an integer")
        }
    }

    /// A number (integer or fraction); numeric strings are accepted as compose does for `cpus`.
    func number(_ path: String) throws(SourcesError) -> Double {
        switch resolved() {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .string(let s) where Double(s) != nil: return Double(s)!
        default: throw mismatch(path, expected: "a number")
        }
    }

    /// A number within `bound` (`cpus`); NaN, infinities and values beyond the bound are refused at this node.
    func number(_ path: String, within bound: NumberBound) throws(SourcesError) -> Double {
        let value = try number(path)
        do { return try BoundedNumber.check(value, bound) } catch { throw outOfBounds(path, error) }
    }

    /// A whole number within `bound` (`replicas`, `retries`); values beyond it are refused at this node.
    func integer(_ path: String, within bound: NumberBound) throws(SourcesError) -> Int {
        let value: Int
        switch resolved() {
        case .string(let s)
        where Int(s) == nil && s.contains(where: \.isNumber)
            && s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }):
            // Digits past Int's range ("99999999999999999999") are out of bounds, not "not an integer".
            throw outOfBounds(path, .numberOutOfBounds(s, bound: bound.name, range: bound.rangeText))
        case .float(let d) where d == d.rounded() || !d.isFinite:
            guard abs(d) < 9e15 else {
                throw outOfBounds(path, .numberOutOfBounds("\(d)", bound: bound.name, range: bound.rangeText))
            }
            value = Int(d)
        default: value = try integer(path)
        }
        do { return try BoundedNumber.check(value, bound) } catch { throw outOfBounds(path, error) }
    }

    /// The error for a number of this node that `BoundedNumber` refused.
    func outOfBounds(_ path: String, _ error: CoreError) -> SourcesError {
        .malformed(location, message: "\(path) \(error.localizedDescription)")
    }

    /// A boolean (`true`/`false`, or the strings compose casts).
    func boolean(_ path: String) throws(SourcesError) -> Bool {
        switch resolved() {
        case .bool(let b): return b
        case .string(let s) where ["true", "false", "yes", "no", "True", "False"].contains(s):
            return ["true", "yes", "True"].contains(s)
        default: throw mismatch(path, expected: "a boolean")
        }
    }

    /// A list of scalars as text.
    func textList(_ path: String) throws(SourcesError) -> [String] {
        guard let items = sequence else { throw mismatch(path, expected: "a list of strings") }
        var result: [String] = []
        for (index, item) in items.enumerated() { result.append(try item.text("\(path)[\(index)]")) }
        return result
    }

    /// A string or a list of strings.
    func textOrList(_ path: String) throws(SourcesError) -> [String] {
        if sequence != nil { return try textList(path) }
        return [try text(path)]
    }

    /// A mapping's pairs.
    func pairs(_ path: String) throws(SourcesError) -> [Pair] {
        guard let pairs = mapping else { throw mismatch(path, expected: "a mapping") }
        return pairs
    }

    /// `list_or_dict`: `["K=V", "K"]` or `{K: V}`; values are text, nil when absent or null.
    func listOrDict(_ path: String, separator: Character = "=") throws(SourcesError) -> [(key: String, value: String?, node: Node)] {
        if let items = sequence {
            var result: [(String, String?, Node)] = []
            for (index, item) in items.enumerated() {
                let entry = try item.text("\(path)[\(index)]")
                if let cut = entry.firstIndex(of: separator) {
                    result.append((String(entry[..<cut]), String(entry[entry.index(after: cut)...]), item))
                } else {
                    result.append((entry, nil, item))
                }
            }
            return result
        }
        guard let pairs = mapping else { throw mismatch(path, expected: "a list of \"KEY\(separator)VALUE\" strings or a mapping") }
        var result: [(String, String?, Node)] = []
        for pair in pairs {
            let key = try pair.key.text(path)
            guard pair.value.sequence == nil, pair.value.mapping == nil else {
                throw pair.value.mismatch("\(path).\(key)", expected: "a string, number, boolean or null")
            }
            result.append((key, pair.value.isNull ? nil : pair.value.scalar, pair.value))
        }
        return result
    }

    /// The `invalid` error for this node.
    func mismatch(_ path: String, expected: String) -> SourcesError {
        .invalid(location, key: path, expected: expected, found: kindName)
    }
}
