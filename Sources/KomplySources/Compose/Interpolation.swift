/// Errors from interpolation; `offset` is the UTF-8 byte offset inside the input string where the problem starts.
struct InterpolationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// UTF-8 byte offset of the `$` that starts the failing expression.
    var offset: Int
    /// What went wrong, worded as Docker Compose words it.
    var message: String

    /// Creates an error at `offset` with `message`.
    init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// The message alone; callers add the file, key and position.
    var description: String { message }
}

/// Compose variable interpolation, as compose-go's `template` package performs it.
///
/// Supported: `$$` (a literal `$`), `$VAR`, `${VAR}`, and `${VAR<op>word}` with `op` one of
/// `:-` `-` `:?` `?` `:+` `+`. Words may hold further interpolations (`${A:-${B:-x}}`).
/// A `$` followed by anything else is kept as it is.
enum Interpolation {
    /// Substitutes $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, $$.
    static func interpolate(
        _ text: String,
        lookup: (String) -> String?
    ) throws(InterpolationError) -> String {
        var unset = Set<String>()
        return try interpolate(text, lookup: lookup, unset: &unset)
    }

    /// Substitutes like `interpolate(_:lookup:)`; adds to `unset` each plain `$VAR`/`${VAR}` that `lookup` left unset.
    ///
    /// Compose warns `The "VAR" variable is not set. Defaulting to a blank string.` for exactly
    /// these names, including ones inside a default that ends up unused (compose-go evaluates
    /// the word of every operator before it looks at the variable).
    ///
    /// `defaulted(name, word)` is what a default (`${NAME:-word}`, `${NAME-word}`) puts in place of an
    /// absent variable; the compose reader marks the default of a secret-named variable as secret.
    static func interpolate(
        _ text: String,
        lookup: (String) -> String?,
        unset: inout Set<String>,
        defaulted: (String, String) -> String = { $1 }
    ) throws(InterpolationError) -> String {
        let bytes = Array(text.utf8)
        let output = try substitute(bytes[...], template: text, depth: 0, lookup: lookup, unset: &unset, defaulted: defaulted)
        return String(decoding: output, as: UTF8.self)
    }

    /// How deep `${A:-${B:-…}}` may nest; deeper input is refused (real files nest two or three).
    static let maxNesting = 64
}

extension Interpolation {
    /// Quotes `text` the way Go's `%q` does for the texts Compose puts in its messages.
    static func goQuoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\u{07}": result += "\\a"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{0B}": result += "\\v"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

private extension Interpolation {
    /// The operators of `${VAR<op>word}`.
    enum Operator {
        /// `-` and `:-`: the word when the variable is unset (or empty, with the colon).
        case defaultValue
        /// `?` and `:?`: an error worded with the word when the variable is unset (or empty).
        case required
        /// `+` and `:+`: the word when the variable is set (and non-empty, with the colon).
        case alternative

        init?(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "-"): self = .defaultValue
            case UInt8(ascii: "?"): self = .required
            case UInt8(ascii: "+"): self = .alternative
            default: return nil
            }
        }
    }

    static let dollar = UInt8(ascii: "$")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let colon = UInt8(ascii: ":")
    static let newline = UInt8(ascii: "\n")

    /// Interpolates `bytes`, a slice of the whole template whose indices are offsets into it.
    static func substitute(
        _ bytes: ArraySlice<UInt8>,
        template: String,
        depth: Int,
        lookup: (String) -> String?,
        unset: inout Set<String>,
        defaulted: (String, String) -> String
    ) throws(InterpolationError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            let next = index + 1 < bytes.endIndex ? bytes[index + 1] : nil
            guard byte == dollar, let next else {
                output.append(byte)
                index += 1
                continue
            }
            if next == dollar {
                output.append(dollar)
                index += 2
            } else if isNameStart(next) {
                let end = nameEnd(bytes, from: index + 1)
                let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                output += plainValue(of: name, lookup: lookup, unset: &unset)
                index = end
            } else if next == openBrace {
                index = try substituteBraced(
                    bytes, at: index, into: &output, template: template, depth: depth, lookup: lookup, unset: &unset,
                    defaulted: defaulted)
            } else {
                // compose-go's pattern does not match here, so the `$` stays literal.
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// Interpolates the `${…}` starting at `start`, appends its value and returns where scanning resumes.
    static func substituteBraced(
        _ bytes: ArraySlice<UInt8>,
        at start: Int,
        into output: inout [UInt8],
        template: String,
        depth: Int,
        lookup: (String) -> String?,
        unset: inout Set<String>,
        defaulted: (String, String) -> String
    ) throws(InterpolationError) -> Int {
        // Worded only when thrown: quoting the whole template for every `${` made a value with
        // n references take n² time.
        func invalid() -> InterpolationError {
            InterpolationError(offset: start, message: "invalid interpolation format for \(goQuoted(template))")
        }
        let nameStart = start + 2
        guard nameStart < bytes.endIndex, isNameStart(bytes[nameStart]) else { throw invalid() }
        let nameEnd = nameEnd(bytes, from: nameStart)
        let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
        guard nameEnd < bytes.endIndex else { throw invalid() }
        if bytes[nameEnd] == closeBrace {
            output += plainValue(of: name, lookup: lookup, unset: &unset)
            return nameEnd + 1
        }

        let hasColon = bytes[nameEnd] == colon
        let operatorIndex = hasColon ? nameEnd + 1 : nameEnd
        guard operatorIndex < bytes.endIndex, let kind = Operator(bytes[operatorIndex]) else {
            throw invalid()
        }
        guard depth < maxNesting else {
            throw InterpolationError(
                offset: start,
                message: "interpolation nests deeper than \(maxNesting) levels; expected at most \(maxNesting) nested ${…}")
        }
        let wordStart = operatorIndex + 1
        guard let close = wordEnd(bytes, start: start, wordStart: wordStart) else { throw invalid() }
        // The word is interpolated before the variable is looked at, as compose-go does.
        let word = try substitute(
            bytes[wordStart..<close], template: template, depth: depth + 1, lookup: lookup, unset: &unset, defaulted: defaulted)
        let value = lookup(name)
        let isAbsent = value == nil || (hasColon && value?.isEmpty == true)

        switch kind {
        case .defaultValue:
            output += isAbsent ? Array(defaulted(name, String(decoding: word, as: UTF8.self)).utf8) : Array(value!.utf8)
        case .alternative:
            output += isAbsent ? Array((value ?? "").utf8) : word
        case .required:
            guard isAbsent else {
                output += Array(value!.utf8)
                break
            }
            let reason = String(decoding: word, as: UTF8.self)
            let message = "required variable \(name) is missing a value"
            throw InterpolationError(offset: start, message: reason.isEmpty ? message : "\(message): \(reason)")
        }
        return close + 1
    }

    /// The value of a plain `$VAR` or `${VAR}`: blank, and recorded, when unset.
    static func plainValue(
        of name: String,
        lookup: (String) -> String?,
        unset: inout Set<String>
    ) -> [UInt8] {
        guard let value = lookup(name) else {
            unset.insert(name)
            return []
        }
        return Array(value.utf8)
    }

    /// The `}` that ends the word of the `${…}` at `start`, as compose-go finds it; nil when there is none.
    ///
    /// compose-go's `(.*)}` runs greedily to the last `}` of the line, then cuts the match at the
    /// brace that balances the opening one (`getFirstBraceClosingIndex`). Scanning once from `start`
    /// gives the same answer: a balancing brace met before the line ends is at or before the line's
    /// last `}`; otherwise the line's last `}` is the end. The scan stops at the end of the line, so
    /// consecutive expressions on one long line cost their own length, not the line's.
    static func wordEnd(_ bytes: ArraySlice<UInt8>, start: Int, wordStart: Int) -> Int? {
        var depth = 0
        var lastBrace: Int?
        var skipsNext = false
        var index = start
        while index < bytes.endIndex {
            let byte = bytes[index]
            if index >= wordStart {
                if byte == newline { break }
                if byte == closeBrace { lastBrace = index }
            }
            if skipsNext {
                // compose-go skips the byte after every `{` when balancing; kept so results match it.
                skipsNext = false
            } else if byte == closeBrace {
                depth -= 1
                if depth == 0 { return index }
            } else if byte == openBrace {
                depth += 1
                skipsNext = true
            }
            index += 1
        }
        return lastBrace
    }

    /// Whether `byte` may start a name: `[_a-zA-Z]`.
    static func isNameStart(_ byte: UInt8) -> Bool {
        let lowered = byte | 0x20
        return byte == UInt8(ascii: "_") || (lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "z"))
    }

    /// The end of the name `[_a-zA-Z][_a-zA-Z0-9]*` starting at `start`.
    static func nameEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else { break }
            index += 1
        }
        return index
    }
}
