import Foundation

/// The folder komply may read from, and the one way a path named by a source (a compose file, a bind
/// mount, `env_file`, `extends`, a build context, komply.yaml) is resolved: symbolic links followed
/// component by component, every step kept inside the root, anything that leaves it refused.
package struct RepositoryRoot: Sendable, Hashable {
    /// The root folder: absolute, symbolic links resolved, no trailing slash.
    package let path: String

    /// How many symbolic links one resolution may follow before it is called a loop (Linux's limit).
    package static let maxLinks = 40

    /// The root at `folder` (relative to the current folder when relative), symbolic links resolved.
    package init(_ folder: String) {
        path = Self.real(folder)
    }

    /// The nearest folder at or above `folder` holding `.git` (a worktree, or a snapshot, whose `.git`
    /// is a file); nil when there is none up to `/`.
    package static func enclosing(_ folder: String) -> RepositoryRoot? {
        var current = Paths.canonical(folder)
        while true {
            if FileManager.default.fileExists(atPath: Paths.join(current, ".git")) { return RepositoryRoot(current) }
            guard current != "/" else { return nil }
            current = Paths.normalized(Paths.join(current, ".."))
        }
    }

    /// `path` as a source names it (relative paths start at the folder `base`) resolved to an absolute
    /// path inside the root with no symbolic link left in it. The file need not exist (a missing file
    /// is the caller's to report), but every step must stay inside the root: a `..` above it, an
    /// absolute path elsewhere, a symbolic link (a folder in the middle, the last component, or a
    /// dangling one) whose target lies outside — each throws `.pathEscapesRoot` naming `location` and
    /// `path` as written, so worktree and snapshot refuse the same paths.
    package func resolve(_ path: String, from base: String, at location: SourceLocation?) throws(CoreError) -> String {
        var walk = Walk(root: self.path, shown: path, location: location)
        if path.hasPrefix("/") {
            // Written through a linked prefix of the root (`/home/me/src` → `/data/src`), the path is
            // judged from its folder's real location; the last component is still walked.
            let normalized = Paths.normalized(path)
            let folder = (normalized as NSString).deletingLastPathComponent
            let name = (normalized as NSString).lastPathComponent
            guard let inside = relative(normalized) ?? relative(Self.real(folder)).map({ $0.isEmpty ? name : $0 + "/" + name })
            else { throw .pathEscapesRoot(location, path: path, through: "an absolute path") }
            walk.push(inside)
        } else {
            guard let baseInside = relative(Self.real(base)) else {
                throw .pathEscapesRoot(location, path: path, through: "a folder outside the repository")
            }
            // Walked from the base, so a `..` is judged where it stands, after the links before it.
            walk.push(baseInside.isEmpty ? path : baseInside + "/" + path)
        }
        return try walk.run()
    }

    /// `absolute` relative to the root ("" for the root itself), nil when it is outside.
    package func relative(_ absolute: String) -> String? {
        Paths.relative(Paths.normalized(absolute), to: path)
    }
}

private extension RepositoryRoot {
    /// `folder` with symbolic links resolved by realpath(3) (Foundation's URL resolution costs more),
    /// or `Paths.canonical` when it does not exist.
    static func real(_ folder: String) -> String {
        guard let resolved = realpath(folder, nil) else { return Paths.canonical(folder) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// One resolution: the components still to walk and the resolved components so far, both
    /// relative to the root.
    struct Walk {
        let root: String
        let shown: String
        let location: SourceLocation?
        var pending: [Substring] = []
        var resolved: [Substring] = []
        var links = 0

        /// Queues `relative` (components relative to the current position) to be walked next.
        mutating func push(_ relative: String) {
            pending.append(contentsOf: relative.split(separator: "/", omittingEmptySubsequences: true).reversed())
        }

        mutating func run() throws(CoreError) -> String {
            while let part = pending.popLast() {
                if part == "." { continue }
                if part == ".." {
                    guard !resolved.isEmpty else { throw .pathEscapesRoot(location, path: shown, through: "\"..\"") }
                    resolved.removeLast()
                    continue
                }
                let candidate = root + "/" + (resolved + [part]).joined(separator: "/")
                guard let target = Self.linkTarget(candidate) else {
                    resolved.append(part)
                    continue
                }
                links += 1
                guard links <= RepositoryRoot.maxLinks else { throw .symlinkLoop(location, path: shown) }
                let link = (resolved + [part]).joined(separator: "/")
                if target.hasPrefix("/") {
                    guard let inside = Paths.relative(Paths.normalized(target), to: root) else {
                        throw .pathEscapesRoot(
                            location, path: shown, through: "the symbolic link \(link.debugDescription) → \(target.debugDescription)")
                    }
                    resolved = []
                    push(inside)
                } else {
                    // A relative target starts at the link's folder; climbing above the root is an escape.
                    var depth = resolved.count
                    for component in target.split(separator: "/") {
                        if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
                        if depth < 0 {
                            throw .pathEscapesRoot(
                                location, path: shown, through: "the symbolic link \(link.debugDescription) → \(target.debugDescription)")
                        }
                    }
                    push(target)
                }
            }
            return resolved.isEmpty ? root : root + "/" + resolved.joined(separator: "/")
        }

        /// The target of the symbolic link at `path`, nil when it is not a link (or does not exist).
        static func linkTarget(_ path: String) -> String? {
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return nil }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(path, &buffer, buffer.count - 1)
            guard count >= 0 else { return nil }
            return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
