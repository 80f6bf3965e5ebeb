import KomplyCore

/// Errors from `.env` parsing; `line` and `column` are 1-based, the column counted in Unicode scalars.
struct DotEnvError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line of the problem.
    var line: Int
    /// 1-based column of the problem, in Unicode scalars.
    var column: Int
    /// What went wrong, worded as Docker Compose words it where it has words for it.
    var message: String

    /// Creates an error at `line`:`column` with `message`.
    init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message`; callers add the file.
    var description: String { "line \(line), column \(column): \(message)" }
}

/// `.env` and `env_file` parsing, as compose-go's `dotenv` package performs it.
///
/// Statements are `KEY=VALUE`, `KEY: VALUE` or a lone `KEY`, optionally after `export `; blank
/// lines and `#` comments are skipped. Values are unquoted (up to the end of the line, cut at
/// ` #`, trimmed, interpolated), single-quoted (literal, `\'` for a quote) or double-quoted
/// (escapes such as `\n`, `\t`, `\"`, `\\`, `\$` expanded, then interpolated). Quoted values may
/// span lines.
enum DotEnv {
    /// Parses a .env / env_file file into ordered (key, value) pairs; a later duplicate wins in the first one's place.
    ///
    /// A lone `KEY` gives a nil value: take it from the environment. As in compose-go, `${VAR}`
    /// references inside unquoted and double-quoted values resolve through `lookup` first and
    /// then through the values defined earlier in the same file.
    static func parse(
        _ contents: String,
        lookup: (String) -> String?,
        reference: @escaping (String, String?) -> String? = { $1 }
    ) throws(DotEnvError) -> [(key: String, value: String?)] {
        var unset = Set<String>()
        return try parse(contents, lookup: lookup, unset: &unset, reference: reference)
    }

    /// Parses like `parse(_:lookup:)`; adds to `unset` what interpolation found neither in `lookup` nor in the file.
    ///
    /// `reference(key, value)` is what a later `${key}` in the same file receives for an earlier
    /// entry: the compose reader passes a secret marker (`SecretTaint`) for secret entries, so taint
    /// follows references inside the file. A file holding a marker character is refused.
    static func parse(
        _ contents: String,
        lookup: (String) -> String?,
        unset: inout Set<String>,
        reference: @escaping (String, String?) -> String? = { $1 }
    ) throws(DotEnvError) -> [(key: String, value: String?)] {
        var scalars = Array(contents.unicodeScalars)
        // compose-go drops a UTF-8 byte order mark, which some Windows editors write.
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var parser = Parser(scalars: scalars, reference: reference)
        if let marker = scalars.firstIndex(where: { $0 == SecretTaint.open || $0 == SecretTaint.close }) {
            throw parser.error(
                at: marker,
                "the Unicode noncharacter U+\(String(scalars[marker].value, radix: 16, uppercase: true)) is reserved for komply's secret markers; expected text without it"
            )
        }
        try parser.parse(lookup: lookup, unset: &unset)
        return parser.entries
    }
}

private extension DotEnv {
    /// One pass over a file's scalars, collecting entries in order.
    struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        var entries: [(key: String, value: String?)] = []
        var positions: [String: Int] = [:]
        /// What a `${key}` of an earlier entry of the file receives.
        let reference: (String, String?) -> String?
        /// The key whose value is being read, so a message about a secret one does not quote the value.
        var currentKey = ""

        init(scalars: [Unicode.Scalar], reference: @escaping (String, String?) -> String?) {
            self.scalars = scalars
            self.reference = reference
        }

        /// Reads every statement of the file.
        mutating func parse(lookup: (String) -> String?, unset: inout Set<String>) throws(DotEnvError) {
            while skipToStatement() {
                guard let key = try readKey() else { continue }
                currentKey = key
                if index >= scalars.count || scalars[index] == "\n" {
                    inherit(key, lookup: lookup)
                    continue
                }
                index += 1  // the `=` or `:`
                skip(while: isSpace)
                let value = try readValue(lookup: lookup, unset: &unset)
                assign(key, value)
            }
        }

        /// Moves past whitespace and comment lines; false at the end of the file.
        mutating func skipToStatement() -> Bool {
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar.properties.isWhitespace {
                    index += 1
                } else if scalar == "#" {
                    skip { $0 != "\n" }
                } else {
                    return true
                }
            }
            return false
        }

        /// Reads `[export ]KEY` and leaves `index` on the `=`, `:`, newline or end after it; nil for a bare `export`.
        mutating func readKey() throws(DotEnvError) -> String? {
            if hasExportPrefix() {
                index += 6
                skip(while: isSpace)
            }
            let start = index
            var end = index
            var firstSpace: Int?
            while index < scalars.count, !["=", ":", "\n"].contains(scalars[index]) {
                let scalar = scalars[index]
                if isSpace(scalar) {
                    firstSpace = firstSpace ?? index
                } else if isKeyScalar(scalar) {
                    end = index + 1
                } else {
                    throw error(
                        at: index,
                        "unexpected character \(Interpolation.goQuoted(String(scalar))) in variable name "
                            + Interpolation.goQuoted(shownStatement(from: start)))
                }
                index += 1
            }
            if let firstSpace, firstSpace < end {
                throw error(at: firstSpace, "key cannot contain a space")
            }
            guard start < end else {
                // A bare `export` line; compose-go looks up an empty name and finds nothing.
                if index >= scalars.count || scalars[index] == "\n" { return nil }
                // compose-go would accept an empty name here; no environment can hold one.
                throw error(
                    at: index, "missing variable name before \(Interpolation.goQuoted(String(scalars[index])))")
            }
            return String(String.UnicodeScalarView(scalars[start..<end]))
        }

        /// Reads the value starting at `index` and leaves `index` after it.
        mutating func readValue(
            lookup: (String) -> String?,
            unset: inout Set<String>
        ) throws(DotEnvError) -> String {
            guard index < scalars.count, scalars[index] == "\"" || scalars[index] == "'" else {
                return try readUnquoted(lookup: lookup, unset: &unset)
            }
            let quote = scalars[index]
            let (text, origins) = try readQuoted()
            guard quote == "\"" else { return String(String.UnicodeScalarView(text)) }
            let (expanded, expandedOrigins) = expandEscapes(text, origins: origins)
            return try interpolate(expanded, origins: expandedOrigins, lookup: lookup, unset: &unset)
        }

        /// Reads an unquoted value to the end of its line, without its ` #` comment and trailing whitespace.
        mutating func readUnquoted(
            lookup: (String) -> String?,
            unset: inout Set<String>
        ) throws(DotEnvError) -> String {
            let start = index
            skip { $0 != "\n" }
            var end = start
            while end < index, !(scalars[end] == " " && end + 1 < index && scalars[end + 1] == "#") {
                end += 1
            }
            while end > start, scalars[end - 1].properties.isWhitespace { end -= 1 }
            return try interpolate(
                Array(scalars[start..<end]), origins: Array(start..<end), lookup: lookup, unset: &unset)
        }

        /// Reads a quoted value; returns its scalars with `\<quote>` unescaped and the source index of each.
        mutating func readQuoted() throws(DotEnvError) -> ([Unicode.Scalar], [Int]) {
            let quote = scalars[index]
            let start = index
            var text: [Unicode.Scalar] = []
            var origins: [Int] = []
            var escaped = false
            index += 1
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == quote && !escaped {
                    index += 1
                    return (text, origins)
                }
                if scalar == "\\" && !escaped {
                    escaped = true
                } else {
                    // Only the quote itself loses its backslash here; other escapes are expanded later.
                    if escaped && scalar != quote {
                        text.append("\\")
                        origins.append(index - 1)
                    }
                    escaped = false
                    text.append(scalar)
                    origins.append(index)
                }
                index += 1
            }
            guard SecretDetector.nameReason(currentKey) == nil else {
                throw error(at: start, "unterminated quoted value of \(currentKey) (not shown: the name says it is secret)")
            }
            throw error(at: start, "unterminated quoted value \(restOfLine(from: start))")
        }

        /// Records a lone `KEY`, whose value the caller takes from the environment.
        mutating func inherit(_ key: String, lookup: (String) -> String?) {
            guard let position = positions[key] else {
                positions[key] = entries.count
                entries.append((key: key, value: nil))
                return
            }
            // compose-go keeps an earlier value when the environment has none for the key.
            if lookup(key) != nil || entries[position].value == nil {
                entries[position].value = nil
            }
        }

        /// Records `key=value`, replacing an earlier value in place.
        mutating func assign(_ key: String, _ value: String) {
            if let position = positions[key] {
                entries[position].value = value
            } else {
                positions[key] = entries.count
                entries.append((key: key, value: value))
            }
        }

        /// Interpolates a value whose scalars came from the source indices `origins`.
        func interpolate(
            _ text: [Unicode.Scalar],
            origins: [Int],
            lookup: (String) -> String?,
            unset: inout Set<String>
        ) throws(DotEnvError) -> String {
            let value = String(String.UnicodeScalarView(text))
            do throws(InterpolationError) {
                return try Interpolation.interpolate(
                    value,
                    lookup: { name in
                        if let found = lookup(name) { return found }
                        guard let position = positions[name] else { return nil }
                        return reference(name, entries[position].value)
                    },
                    unset: &unset)
            } catch {
                throw self.error(at: sourceIndex(ofUTF8Offset: error.offset, in: text, origins: origins), error.message)
            }
        }

        /// The source index of the scalar at UTF-8 `offset` in `text`.
        func sourceIndex(ofUTF8Offset offset: Int, in text: [Unicode.Scalar], origins: [Int]) -> Int {
            var bytes = 0
            for (position, scalar) in text.enumerated() {
                if bytes >= offset { return origins[position] }
                bytes += UTF8.width(scalar)
            }
            return origins.last ?? index
        }

        /// Whether the statement at `index` starts with `export` and whitespace, as `^export\s+` matches.
        func hasExportPrefix() -> Bool {
            let prefix: [Unicode.Scalar] = ["e", "x", "p", "o", "r", "t"]
            guard index + prefix.count < scalars.count,
                Array(scalars[index..<(index + prefix.count)]) == prefix
            else { return false }
            return ["\t", "\n", "\u{0C}", "\r", " "].contains(scalars[index + prefix.count])
        }

        /// The text from `start` to the end of its line.
        /// The rest of the line from `start`, cut after the `=` or `:` when the name before it looks secret.
        func shownStatement(from start: Int) -> String {
            let line = restOfLine(from: start)
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }),
                SecretDetector.nameReason(String(line[..<separator])) != nil
            else { return line }
            return String(line[...separator]) + "…"
        }

        func restOfLine(from start: Int) -> String {
            let end = scalars[start...].firstIndex(of: "\n") ?? scalars.count
            return String(String.UnicodeScalarView(scalars[start..<end]))
        }

        /// An error at the source index `position`.
        func error(at position: Int, _ message: String) -> DotEnvError {
            var line = 1
            var lineStart = 0
            for (offset, scalar) in scalars[..<min(position, scalars.count)].enumerated() where scalar == "\n" {
                line += 1
                lineStart = offset + 1
            }
            return DotEnvError(line: line, column: position - lineStart + 1, message: message)
        }

        /// Advances `index` while `predicate` holds.
        mutating func skip(while predicate: (Unicode.Scalar) -> Bool) {
            while index < scalars.count, predicate(scalars[index]) { index += 1 }
        }
    }

    /// Blanks that do not end a line, as compose-go's `isSpace` lists them.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        ["\t", "\u{0B}", "\u{0C}", "\r", " ", "\u{85}", "\u{A0}"].contains(scalar)
    }

    /// Whether `scalar` may appear in a key: letters, numbers, `_`, `.`, `-`, `[`, `]`.
    static func isKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return ["_", ".", "-", "[", "]"].contains(scalar)
        }
    }

    /// Expands the escapes compose-go expands in double-quoted values, keeping each scalar's source index.
    ///
    /// `\a \b \f \n \r \t \v \" \\` become their characters, `\$` becomes `$$` (a literal `$` after
    /// interpolation), `\0` with three octal digits becomes that code point; anything else stays.
    static func expandEscapes(_ text: [Unicode.Scalar], origins: [Int]) -> ([Unicode.Scalar], [Int]) {
        var result: [Unicode.Scalar] = []
        var resultOrigins: [Int] = []
        var position = 0
        func emit(_ scalars: [Unicode.Scalar], from origin: Int) {
            result += scalars
            resultOrigins += Array(repeating: origin, count: scalars.count)
        }
        while position < text.count {
            let origin = origins[position]
            guard text[position] == "\\", position + 1 < text.count else {
                emit([text[position]], from: origin)
                position += 1
                continue
            }
            let escape = text[position + 1]
            if let simple = simpleEscapes[escape] {
                emit(simple, from: origin)
                position += 2
            } else if escape == "0" {
                var digits: [Unicode.Scalar] = []
                var next = position + 2
                while digits.count < 3, next < text.count, ("0"..."9").contains(text[next]) {
                    digits.append(text[next])
                    next += 1
                }
                emit(octal(digits).map { [$0] } ?? ["\\"] + digits, from: origin)
                position = next
            } else {
                emit(["\\"], from: origin)
                position += 1
            }
        }
        return (result, resultOrigins)
    }

    /// The escapes that stand for fixed text.
    static let simpleEscapes: [Unicode.Scalar: [Unicode.Scalar]] = [
        "a": ["\u{07}"], "b": ["\u{08}"], "f": ["\u{0C}"], "n": ["\n"], "r": ["\r"],
        "t": ["\t"], "v": ["\u{0B}"], "$": ["$", "$"], "\"": ["\""], "\\": ["\\"],
    ]

    /// The code point of three octal digits up to 0o377, as Go's `UnquoteChar` reads `\ddd`.
    static func octal(_ digits: [Unicode.Scalar]) -> Unicode.Scalar? {
        guard digits.count == 3 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard ("0"..."7").contains(digit) else { return nil }
            value = value * 8 + (digit.value - 48)
        }
        return value <= 0o377 ? Unicode.Scalar(value) : nil
    }
}
