import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shell-style path patterns relative to a root folder: `*` and `?` within one path segment,
/// `[abc]`, `[a-z]` and `[!abc]` (or `[^abc]`) classes, `\` to escape, and `**` as a whole
/// segment for any number of folders (`apps/**/compose.yaml` matches `apps/compose.yaml` too).
///
/// As in a shell, a wildcard does not match a name starting with `.` unless the pattern segment
/// starts with `.` itself, so `**` never wanders into `.git`. `expand` never leaves the root: a
/// pattern whose `..` climbs out of it is refused, `**` does not descend through symbolic links,
/// and a match that is a symbolic link resolving outside the root is refused by name.
public enum Glob {
    /// True when the relative `path` (segments separated by `/`) matches `pattern`.
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        guard let segments = try? Pattern.segments(pattern) else { return false }
        let names = path.split(separator: "/").map(String.init).filter { $0 != "." }
        return match(segments[...], names[...])
    }

    /// Throws the `CoreError` `expand` would throw for `pattern` itself (absolute, or leaving the
    /// root through `..`), without touching the file system.
    public static func validate(_ pattern: String) throws(CoreError) {
        _ = try Pattern.segments(pattern)
    }

    /// The paths under `root` (files and folders, relative to `root`, sorted, each once) matched by any
    /// of `patterns`; a pattern matching nothing adds nothing.
    ///
    /// Throws `CoreError` for an absolute pattern, a `..` that leaves `root`, a matched symbolic link
    /// that resolves outside `root`, or a `root` that cannot be read.
    public static func expand(_ patterns: [String], in root: String) throws(CoreError) -> [String] {
        guard let realRoot = FileSystem.realPath(root), FileSystem.kind(realRoot) == .directory else {
            throw .unreadableRoot(path: root)
        }
        var walker = Walker(root: root, realRoot: realRoot)
        for pattern in patterns {
            let segments = try Pattern.segments(pattern)
            try walker.walk(pattern, segments, from: 0, at: [])
        }
        return walker.results.sorted()
    }
}

private extension Glob {
    /// Matches segments against names, `**` taking zero or more names.
    static func match(_ segments: ArraySlice<Pattern.Segment>, _ names: ArraySlice<String>) -> Bool {
        guard let first = segments.first else { return names.isEmpty }
        if case .anyDepth = first {
            let rest = segments.dropFirst()
            var remaining = names
            while true {
                if match(rest, remaining) { return true }
                guard let name = remaining.first, !name.hasPrefix(".") else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let name = names.first, first.matches(name) else { return false }
        return match(segments.dropFirst(), names.dropFirst())
    }

    /// The file-system walk of `expand`, remembering visited (folder, segment) pairs so repeated
    /// `**` segments stay linear.
    struct Walker {
        let root: String
        let realRoot: String
        var results = Set<String>()
        var visited = Set<String>()

        init(root: String, realRoot: String) {
            self.root = root
            self.realRoot = realRoot
        }

        mutating func walk(_ pattern: String, _ segments: [Pattern.Segment], from index: Int, at folder: [String]) throws(CoreError) {
            guard visited.insert("\(index)\u{0}\(pattern)\u{0}\(folder.joined(separator: "/"))").inserted else { return }
            guard index < segments.count else {
                results.insert(folder.isEmpty ? "." : folder.joined(separator: "/"))
                return
            }
            let last = index == segments.count - 1
            switch segments[index] {
            case .anyDepth:
                try walk(pattern, segments, from: index + 1, at: folder)
                for name in children(folder) where !name.hasPrefix(".") {
                    // `**` descends through real folders only: a symbolic link could loop or leave the root.
                    if FileSystem.kind(path(folder + [name])) == .directory {
                        try walk(pattern, segments, from: index, at: folder + [name])
                    }
                }
            case .literal(let name):
                try visit(pattern, segments, index, folder, name, last: last)
            case .wildcard:
                for name in children(folder) where segments[index].matches(name) {
                    try visit(pattern, segments, index, folder, name, last: last)
                }
            }
        }

        /// Follows one matched entry: records it when the pattern ends, else descends into it.
        mutating func visit(
            _ pattern: String, _ segments: [Pattern.Segment], _ index: Int, _ folder: [String], _ name: String, last: Bool
        ) throws(CoreError) {
            let relative = folder + [name]
            let full = path(relative)
            var kind = FileSystem.kind(full)
            if kind == .missing { return }
            if kind == .symlink {
                // The one confined resolver decides; a dangling link matches nothing komply could read.
                let resolved = try? RepositoryRoot(realRoot).resolve(relative.joined(separator: "/"), from: realRoot, at: nil)
                guard let resolved, FileSystem.kind(resolved) != .missing else {
                    throw .symlinkEscapesRoot(
                        path: relative.joined(separator: "/"), target: FileSystem.linkTarget(full) ?? "a missing file")
                }
                kind = FileSystem.kind(resolved)
            }
            if last {
                results.insert(relative.joined(separator: "/"))
            } else if kind == .directory {
                try walk(pattern, segments, from: index + 1, at: relative)
            }
        }

        func path(_ relative: [String]) -> String {
            ([root] + relative).joined(separator: "/")
        }

        func children(_ folder: [String]) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path(folder))) ?? []).sorted()
        }
    }
}

extension Glob {
    /// A parsed pattern.
    enum Pattern {
        /// One `/`-separated piece of a pattern.
        enum Segment: Equatable {
            /// A name without wildcards (escapes removed).
            case literal(String)
            /// A name with `*`, `?` or classes, kept as scalars for matching.
            case wildcard([Unicode.Scalar])
            /// `**`: any number of folders.
            case anyDepth

            /// True when the single path segment `name` matches.
            func matches(_ name: String) -> Bool {
                switch self {
                case .anyDepth: return !name.hasPrefix(".")
                case .literal(let literal): return literal == name
                case .wildcard(let pattern):
                    let scalars = Array(name.unicodeScalars)
                    // A leading dot is matched only by a leading dot in the pattern, as in a shell.
                    if scalars.first == ".", pattern.first != "." { return false }
                    return Pattern.match(pattern, scalars)
                }
            }
        }

        /// Splits and normalises `pattern`: empty and `.` segments dropped, `..` applied lexically.
        static func segments(_ pattern: String) throws(CoreError) -> [Segment] {
            guard !pattern.hasPrefix("/") else { throw .absolutePattern(pattern: pattern) }
            var out: [Segment] = []
            for piece in pattern.split(separator: "/", omittingEmptySubsequences: true) {
                switch piece {
                case ".": continue
                case "..":
                    guard case .literal = out.last else { throw .patternEscapesRoot(pattern: pattern) }
                    out.removeLast()
                case "**": if out.last != .anyDepth { out.append(.anyDepth) }
                default:
                    let scalars = Array(piece.unicodeScalars)
                    if let literal = literal(scalars) { out.append(.literal(literal)) } else { out.append(.wildcard(scalars)) }
                }
            }
            return out
        }

        /// The name a segment without unescaped wildcards stands for, or nil when it has wildcards.
        static func literal(_ scalars: [Unicode.Scalar]) -> String? {
            var out = String.UnicodeScalarView()
            var i = 0
            while i < scalars.count {
                switch scalars[i] {
                case "*", "?": return nil
                case "[" where classEnd(scalars, i) != nil: return nil
                case "\\" where i + 1 < scalars.count:
                    i += 1
                    out.append(scalars[i])
                default:
                    out.append(scalars[i])
                }
                i += 1
            }
            return String(out)
        }

        /// Wildcard match of one segment, backtracking only to the last `*`.
        static func match(_ p: [Unicode.Scalar], _ s: [Unicode.Scalar]) -> Bool {
            var (pi, si) = (0, 0)
            var star: (p: Int, s: Int)?
            while si < s.count {
                if pi < p.count {
                    switch p[pi] {
                    case "*":
                        star = (pi, si)
                        pi += 1
                        continue
                    case "?":
                        pi += 1
                        si += 1
                        continue
                    case "[":
                        if let end = classEnd(p, pi) {
                            if classContains(p[(pi + 1)..<end], s[si]) {
                                pi = end + 1
                                si += 1
                                continue
                            }
                        } else if s[si] == "[" {
                            pi += 1
                            si += 1
                            continue
                        }
                    case "\\" where pi + 1 < p.count:
                        if p[pi + 1] == s[si] {
                            pi += 2
                            si += 1
                            continue
                        }
                    default:
                        if p[pi] == s[si] {
                            pi += 1
                            si += 1
                            continue
                        }
                    }
                }
                guard let last = star else { return false }
                star = (last.p, last.s + 1)
                pi = last.p + 1
                si = last.s + 1
            }
            while pi < p.count, p[pi] == "*" { pi += 1 }
            return pi == p.count
        }

        /// The index of the `]` closing the class opened at `start`, or nil when it is not a class.
        static func classEnd(_ p: [Unicode.Scalar], _ start: Int) -> Int? {
            var i = start + 1
            if i < p.count, p[i] == "!" || p[i] == "^" { i += 1 }
            // A `]` right after the opening (or the negation) is a member, not the end.
            if i < p.count, p[i] == "]" { i += 1 }
            while i < p.count {
                if p[i] == "]" { return i }
                i += 1
            }
            return nil
        }

        /// Whether `c` is in the class body (between the brackets), honouring negation and ranges.
        static func classContains(_ body: ArraySlice<Unicode.Scalar>, _ c: Unicode.Scalar) -> Bool {
            var items = body
            let negated = items.first == "!" || items.first == "^"
            if negated { items = items.dropFirst() }
            let chars = Array(items)
            var found = false
            var i = 0
            while i < chars.count {
                if i + 2 < chars.count, chars[i + 1] == "-" {
                    if chars[i].value <= c.value, c.value <= chars[i + 2].value { found = true }
                    i += 3
                } else {
                    if chars[i] == c { found = true }
                    i += 1
                }
            }
            return found != negated
        }
    }

    /// The few `lstat`/`realpath` questions the glob walk asks.
    enum FileSystem {
        enum Kind { case missing, file, directory, symlink, other }

        /// What is at `path`, without following a final symbolic link.
        static func kind(_ path: String) -> Kind {
            var info = stat()
            guard lstat(path, &info) == 0 else { return .missing }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: return .directory
            case S_IFREG: return .file
            case S_IFLNK: return .symlink
            default: return .other
            }
        }

        /// The absolute path with every symbolic link resolved, or nil when it does not exist.
        static func realPath(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }

        /// The text of the symbolic link at `path`.
        static func linkTarget(_ path: String) -> String? {
            try? FileManager.default.destinationOfSymbolicLink(atPath: path)
        }
    }
}
