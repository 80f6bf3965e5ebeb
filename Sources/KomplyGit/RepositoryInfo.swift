import Foundation

/// What komply needs to know about the git repository around a folder — where it is, which
/// commit is checked out, where `origin` points — read from the files under `.git` without
/// running `git` (libgit2 takes over in a later issue).
///
/// Handles a `.git` folder and a `.git` file (`gitdir: …`, as linked worktrees and submodules
/// have, with `commondir` for the shared refs and config), loose and packed refs, symbolic refs,
/// a detached HEAD, and an unborn branch (no commit yet: `headCommit` is nil).
public struct RepositoryInfo: Sendable, Equatable {
    /// The working tree's top folder (the one holding `.git`), absolute.
    public var root: String
    /// The git folder of this working tree (`.git`, or `.git/worktrees/<name>` for a linked worktree).
    public var gitDirectory: String
    /// The git folder holding shared refs, objects and config (equal to `gitDirectory` except in linked worktrees).
    public var commonDirectory: String

    /// Describes a repository whose folders are already known.
    public init(root: String, gitDirectory: String, commonDirectory: String? = nil) {
        self.root = root
        self.gitDirectory = gitDirectory
        self.commonDirectory = commonDirectory ?? gitDirectory
    }

    /// The repository containing `directory` (or `directory` itself), found by walking up to the
    /// nearest `.git`; nil when there is none.
    public static func discover(from directory: String) -> RepositoryInfo? {
        var folder = absolute(directory)
        while true {
            if let info = repository(at: folder) { return info }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { return nil }
            folder = parent
        }
    }

    /// The URL configured for the remote `name` (`remote.<name>.url`), exactly as `git config --get`
    /// prints it; SSH forms like `git@host:org/repo.git` are returned unchanged.
    public func remoteURL(named name: String = "origin") -> String? {
        config?.value(section: "remote", subsection: name, key: "url")
    }

    /// The full id of the commit HEAD points at, following symbolic refs through loose and packed refs;
    /// nil on an unborn branch or an unreadable repository.
    public var headCommit: String? {
        resolve(reference: "HEAD", depth: 0)
    }

    /// The branch HEAD names (`main` for `ref: refs/heads/main`); nil when HEAD is detached.
    public var headBranch: String? {
        guard let head = Self.read(gitDirectory + "/HEAD"), let target = Self.symbolicTarget(head),
            target.hasPrefix("refs/heads/")
        else { return nil }
        return String(target.dropFirst("refs/heads/".count))
    }

    /// The repository's configuration (`config` in the common git folder), or nil when unreadable.
    public var config: GitConfig? {
        Self.read(commonDirectory + "/config").map(GitConfig.init(text:))
    }

    /// `url` without credentials, safe to write into manifests: `https://user:token@host/x.git`
    /// becomes `https://host/x.git`; `ssh://git:pw@host/x` keeps the user (`ssh://git@host/x`); the
    /// SCP-like SSH form (`git@host:org/repo.git`) and local paths are returned unchanged.
    public static func publicURL(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let afterScheme = url[scheme.upperBound...]
        let authorityEnd = afterScheme.firstIndex(of: "/") ?? url.endIndex
        guard let at = afterScheme[..<authorityEnd].lastIndex(of: "@") else { return url }
        let userInfo = afterScheme[..<at]
        let schemeName = url[..<scheme.lowerBound].lowercased()
        let keptUser: Substring
        if schemeName == "ssh" || schemeName == "git+ssh" || schemeName == "ssh+git" {
            // An SSH user name is part of the address (`git@`), a password never is.
            keptUser = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        } else {
            // Over HTTP a token may sit in the user name itself, so nothing of the user info is kept.
            keptUser = ""
        }
        return String(url[..<scheme.upperBound]) + (keptUser.isEmpty ? "" : keptUser + "@") + url[url.index(after: at)...]
    }
}

/// A git configuration file (`.git/config` syntax): sections with optional quoted subsections,
/// `#`/`;` comments, quoted values with escapes and line continuations. Section and key names
/// compare case-insensitively, subsections case-sensitively; the last of repeated keys wins.
public struct GitConfig: Sendable, Equatable {
    /// One `key = value` line with the section it sits in (section and key lower-cased).
    public struct Entry: Sendable, Equatable {
        public var section: String
        public var subsection: String?
        public var key: String
        public var value: String
    }

    /// Every entry in file order; lines that cannot be parsed are skipped.
    public private(set) var entries: [Entry] = []

    /// Parses the text of a config file.
    public init(text: String) {
        var parser = GitConfigParser(text)
        entries = parser.parse()
    }

    /// The last value of `section.subsection.key`, as `git config --get` reports it.
    public func value(section: String, subsection: String? = nil, key: String) -> String? {
        values(section: section, subsection: subsection, key: key).last
    }

    /// All values of a multi-valued key, in file order.
    public func values(section: String, subsection: String? = nil, key: String) -> [String] {
        let (section, key) = (section.lowercased(), key.lowercased())
        return entries.filter { $0.section == section && $0.subsection == subsection && $0.key == key }.map(\.value)
    }

    /// The subsections of `section` (`origin`, `upstream` for `remote`), in order of first appearance.
    public func subsections(of section: String) -> [String] {
        var seen: [String] = []
        for entry in entries where entry.section == section.lowercased() {
            if let name = entry.subsection, !seen.contains(name) { seen.append(name) }
        }
        return seen
    }
}

private extension RepositoryInfo {
    /// Refs and symbolic refs nest at most this deep, as in git.
    static let maxSymbolicDepth = 5

    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (full as NSString).standardizingPath
    }

    /// The repository whose working tree is exactly `folder`, if it has a usable `.git`.
    static func repository(at folder: String) -> RepositoryInfo? {
        let dotGit = folder == "/" ? "/.git" : folder + "/.git"
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit, isDirectory: &isFolder) else { return nil }
        let gitDirectory: String
        if isFolder.boolValue {
            gitDirectory = dotGit
        } else {
            // A `.git` file: "gitdir: <path>", relative to the folder holding the file.
            guard let text = read(dotGit), let line = text.split(whereSeparator: \.isNewline).first,
                line.hasPrefix("gitdir:")
            else { return nil }
            let target = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
            gitDirectory = absolute(target.hasPrefix("/") ? target : folder + "/" + target)
        }
        guard FileManager.default.fileExists(atPath: gitDirectory + "/HEAD") else { return nil }
        var common = gitDirectory
        if let text = read(gitDirectory + "/commondir")?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            common = absolute(text.hasPrefix("/") ? text : gitDirectory + "/" + text)
        }
        return RepositoryInfo(root: folder, gitDirectory: gitDirectory, commonDirectory: common)
    }

    /// The object id `reference` resolves to (`HEAD`, `refs/heads/main`…).
    func resolve(reference: String, depth: Int) -> String? {
        guard depth <= Self.maxSymbolicDepth else { return nil }
        if let text = Self.read(folder(for: reference) + "/" + reference) {
            if let target = Self.symbolicTarget(text) { return resolve(reference: target, depth: depth + 1) }
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return Self.isObjectID(id) ? id.lowercased() : nil
        }
        return packedRefs()[reference]
    }

    /// Per-worktree refs (HEAD and friends, `refs/worktree/`, `refs/bisect/`) live in the worktree's
    /// git folder; branches and tags in the common one.
    func folder(for reference: String) -> String {
        let perWorktree =
            !reference.hasPrefix("refs/") || reference.hasPrefix("refs/worktree/")
            || reference.hasPrefix("refs/bisect/") || reference.hasPrefix("refs/rewritten/")
        return perWorktree ? gitDirectory : commonDirectory
    }

    /// `packed-refs`: `<id> <name>` lines; `#` headers and `^<id>` peeled tag lines are skipped.
    func packedRefs() -> [String: String] {
        guard let text = Self.read(commonDirectory + "/packed-refs") else { return [:] }
        var refs: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, Self.isObjectID(String(parts[0])) else { continue }
            refs[String(parts[1]).trimmingCharacters(in: .whitespaces)] = parts[0].lowercased()
        }
        return refs
    }

    /// The target of a symbolic ref file (`ref: refs/heads/main`), or nil when it holds an id.
    static func symbolicTarget(_ text: String) -> String? {
        guard text.hasPrefix("ref:") else { return nil }
        let target = text.dropFirst(4).trimmingCharacters(in: .whitespacesAndNewlines)
        // A ref name never climbs out of the git folder.
        guard !target.isEmpty, !target.contains(".."), !target.hasPrefix("/") else { return nil }
        return target
    }

    /// A SHA-1 (40) or SHA-256 (64) object id in hexadecimal.
    static func isObjectID(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64)
            && text.utf8.allSatisfy { byte in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
            }
    }

    /// A small text file's contents (git metadata files, bounded to 64 MiB), or nil.
    static func read(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            (attributes[.type] as? FileAttributeType) == .typeRegular,
            ((attributes[.size] as? NSNumber)?.intValue ?? 0) <= 64 << 20,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The scanner behind `GitConfig`, following git-config(1)'s syntax section.
struct GitConfigParser {
    private let chars: [Character]
    private var i = 0
    private var section = ""
    private var subsection: String?

    init(_ text: String) {
        // "\r\n" is one Character in Swift; treat it as "\n".
        chars = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
    }

    mutating func parse() -> [GitConfig.Entry] {
        var entries: [GitConfig.Entry] = []
        while i < chars.count {
            skipBlanks()
            guard i < chars.count else { break }
            switch chars[i] {
            case "\n":
                i += 1
            case "#", ";":
                skipLine()
            case "[":
                if !parseHeader() { skipLine() }
            default:
                if let entry = parseEntry() { entries.append(entry) } else { skipLine() }
            }
        }
        return entries
    }

    private mutating func skipBlanks() {
        while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
    }

    private mutating func skipLine() {
        while i < chars.count, chars[i] != "\n" { i += 1 }
        if i < chars.count { i += 1 }
    }

    /// `[section]`, `[section "sub"]` or the legacy `[section.sub]`; leaves `i` after the `]`.
    private mutating func parseHeader() -> Bool {
        i += 1
        var name = ""
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "-" || chars[i] == "." {
            name.append(chars[i])
            i += 1
        }
        guard !name.isEmpty, i < chars.count else { return false }
        if chars[i] == "]" {
            i += 1
            if let dot = name.firstIndex(of: ".") {
                section = name[..<dot].lowercased()
                subsection = name[name.index(after: dot)...].lowercased()
            } else {
                section = name.lowercased()
                subsection = nil
            }
            return true
        }
        skipBlanks()
        guard i < chars.count, chars[i] == "\"" else { return false }
        i += 1
        var sub = ""
        while i < chars.count, chars[i] != "\"" {
            if chars[i] == "\n" { return false }
            if chars[i] == "\\", i + 1 < chars.count { i += 1 }
            sub.append(chars[i])
            i += 1
        }
        guard i + 1 < chars.count, chars[i + 1] == "]" else { return false }
        i += 2
        section = name.lowercased()
        subsection = sub
        return true
    }

    /// `name = value` or a bare `name` (boolean true); nil for a malformed line or one before any section.
    private mutating func parseEntry() -> GitConfig.Entry? {
        var key = ""
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "-" {
            key.append(chars[i])
            i += 1
        }
        guard !key.isEmpty, key.first!.isLetter, !section.isEmpty else { return nil }
        skipBlanks()
        if i >= chars.count || chars[i] == "\n" || chars[i] == "#" || chars[i] == ";" {
            skipLine()
            return GitConfig.Entry(section: section, subsection: subsection, key: key.lowercased(), value: "true")
        }
        guard chars[i] == "=" else { return nil }
        i += 1
        guard let value = parseValue() else { return nil }
        return GitConfig.Entry(section: section, subsection: subsection, key: key.lowercased(), value: value)
    }

    /// The value after `=` up to the end of the line (or of its continuations): quotes removed,
    /// escapes applied, comments and unquoted trailing blanks dropped, inner blanks kept.
    private mutating func parseValue() -> String? {
        var value = ""
        var pendingBlanks = ""
        var quoted = false
        skipBlanks()
        while i < chars.count {
            let c = chars[i]
            i += 1
            switch c {
            case "\n" where !quoted:
                return value
            case "\n":
                return nil  // an unterminated quote
            case " " where !quoted, "\t" where !quoted:
                pendingBlanks.append(c)
                continue
            case "#" where !quoted, ";" where !quoted:
                skipLine()
                return value
            case "\"":
                value += pendingBlanks
                pendingBlanks = ""
                quoted.toggle()
                continue
            case "\\":
                guard i < chars.count else { return nil }
                let next = chars[i]
                i += 1
                value += pendingBlanks
                pendingBlanks = ""
                switch next {
                case "\n": continue  // line continuation
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "b": value.append("\u{8}")
                case "\"", "\\": value.append(next)
                default: return nil  // git refuses unknown escapes
                }
                continue
            default:
                break
            }
            value += pendingBlanks
            pendingBlanks = ""
            value.append(c)
        }
        return quoted ? nil : value
    }
}
