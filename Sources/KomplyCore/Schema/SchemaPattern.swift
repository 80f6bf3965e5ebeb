import Foundation

/// A schema `pattern` (ECMA-262 syntax, unanchored unless it says `^`/`$`), compiled once.
///
/// Simple patterns — literals, `.`, bracket classes, `\d`, `\w`, the quantifiers `?`, `*`, `+`
/// and the anchors — run on a small automaton in time linear in the text; anything else is handed
/// to `NSRegularExpression`.
struct SchemaPattern: Sendable {
    /// The pattern as written in the schema.
    let source: String
    private let engine: Engine

    /// Compiles `source`, or returns nil when it is not a valid regular expression.
    init?(_ source: String) {
        self.source = source
        if let program = Program(parsing: source) {
            engine = .automaton(program)
        } else if let regex = try? NSRegularExpression(pattern: source) {
            engine = .foundation(regex)
        } else {
            return nil
        }
    }

    /// True when the pattern matches somewhere in `text`.
    func matches(_ text: String) -> Bool {
        switch engine {
        case .automaton(let program):
            return program.matches(text)
        case .foundation(let regex):
            return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }

    /// True when the pattern runs on the built-in automaton rather than `NSRegularExpression`.
    var isSimple: Bool {
        if case .automaton = engine { return true }
        return false
    }
}

private extension SchemaPattern {
    enum Engine: Sendable {
        case automaton(Program)
        case foundation(NSRegularExpression)
    }

    /// What one position of a simple pattern accepts.
    enum Atom: Sendable {
        case scalar(Unicode.Scalar)
        /// `.`: anything but a line terminator.
        case any
        case set(ranges: [ClosedRange<UInt32>], negated: Bool)

        func accepts(_ c: Unicode.Scalar) -> Bool {
            switch self {
            case .scalar(let s): return s == c
            case .any: return !["\n", "\r", "\u{2028}", "\u{2029}"].contains(c)
            case .set(let ranges, let negated): return ranges.contains { $0.contains(c.value) } != negated
            }
        }
    }

    enum Repeat: Sendable { case once, optional, many }

    struct Step: Sendable {
        var atom: Atom
        var count: Repeat
    }

    /// A sequence of steps simulated as a Thompson automaton: state `i` means "before step `i`".
    struct Program: Sendable {
        var steps: [Step] = []
        var anchoredStart = false
        var anchoredEnd = false

        /// Parses the simple subset; nil means "use the full regex engine".
        init?(parsing pattern: String) {
            var rest = Substring(pattern).unicodeScalars[...]
            if rest.first == "^" {
                anchoredStart = true
                rest = rest.dropFirst()
            }
            while let c = rest.popFirst() {
                let atom: Atom
                switch c {
                case "$":
                    guard rest.isEmpty else { return nil }
                    anchoredEnd = true
                    continue
                case ".": atom = .any
                case "[":
                    guard let set = Self.parseClass(&rest) else { return nil }
                    atom = set
                case "\\":
                    guard let escaped = rest.popFirst(), let parsed = Self.escape(escaped) else { return nil }
                    atom = parsed
                case "(", ")", "|", "{", "}", "?", "*", "+", "]", "^": return nil
                default: atom = .scalar(c)
                }
                var count = Repeat.once
                switch rest.first {
                case "?": count = .optional
                case "*": count = .many
                case "+":
                    // `a+` is `a` followed by `a*`.
                    steps.append(Step(atom: atom, count: .once))
                    count = .many
                default: break
                }
                if count != .once { rest = rest.dropFirst() }
                if let next = rest.first, next == "?" || next == "{" || next == "*" || next == "+" { return nil }
                steps.append(Step(atom: atom, count: count))
            }
        }

        func matches(_ text: String) -> Bool {
            let accept = steps.count
            var current = [Bool](repeating: false, count: accept + 1)
            var next = current
            current[0] = true
            close(&current)
            if current[accept] && (!anchoredEnd || text.isEmpty) { return true }
            for c in text.unicodeScalars {
                for i in next.indices { next[i] = false }
                var any = false
                for i in 0..<accept where current[i] && steps[i].atom.accepts(c) {
                    next[steps[i].count == .many ? i : i + 1] = true
                    any = true
                }
                if !anchoredStart {
                    next[0] = true
                    any = true
                }
                guard any else { return false }
                close(&next)
                swap(&current, &next)
                if current[accept] && !anchoredEnd { return true }
            }
            return current[accept]
        }

        /// Adds the states reachable without reading: past optional and repeated steps.
        private func close(_ states: inout [Bool]) {
            for i in 0..<steps.count where states[i] && steps[i].count != .once {
                states[i + 1] = true
            }
        }

        private static func escape(_ c: Unicode.Scalar) -> Atom? {
            switch c {
            case "d": return .set(ranges: [0x30...0x39], negated: false)
            case "w": return .set(ranges: wordRanges, negated: false)
            case "D": return .set(ranges: [0x30...0x39], negated: true)
            case "W": return .set(ranges: wordRanges, negated: true)
            default:
                // Escaped punctuation is the character itself; letter escapes (\s, \b, \u…) need the full engine.
                guard c.isASCII, !c.properties.isAlphabetic, !("0"..."9").contains(c) else { return nil }
                return .scalar(c)
            }
        }

        private static let wordRanges: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]

        /// Parses a bracket class after its `[`.
        private static func parseClass(_ rest: inout Substring.UnicodeScalarView.SubSequence) -> Atom? {
            var negated = false
            if rest.first == "^" {
                negated = true
                rest = rest.dropFirst()
            }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while let c = rest.popFirst() {
                if c == "]" && !first { return .set(ranges: ranges, negated: negated) }
                first = false
                var low = c
                if c == "\\" {
                    guard let e = rest.popFirst(), let atom = escape(e) else { return nil }
                    switch atom {
                    case .scalar(let s): low = s
                    case .set(let more, false):
                        ranges += more
                        continue
                    default: return nil
                    }
                } else if c == "[" {
                    return nil
                }
                // `a-z` is a range unless the `-` ends the class.
                var lookahead = rest
                if lookahead.popFirst() == "-", let high = lookahead.first, high != "]" {
                    guard high != "\\", high != "[", low.value <= high.value else { return nil }
                    lookahead = lookahead.dropFirst()
                    rest = lookahead
                    ranges.append(low.value...high.value)
                } else {
                    ranges.append(low.value...low.value)
                }
            }
            return nil
        }
    }
}
