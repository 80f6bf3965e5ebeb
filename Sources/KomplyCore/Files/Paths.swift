import Foundation

/// Path arithmetic on POSIX paths shared by komply's targets: lexical normalizing, joining and
/// relating paths, and the one file-system step (resolving symbolic links).
package enum Paths {
    /// `path` with `.` and `..` components resolved lexically and no duplicate or trailing slashes
    /// (`"."` for an empty relative result; `/..` is `/`).
    package static func normalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// Whether compose takes `path` as a host path it never resolves against the project: POSIX absolute (`/srv`),
    /// the home folder (`~/data`) or Windows absolute (`C:\data`, `C:/data`, `\\server\share`).
    package static func isHostPath(_ path: String) -> Bool {
        path.hasPrefix("/") || path.hasPrefix("~") || isWindowsAbsolute(path)
    }

    /// Whether `path` is an absolute Windows path: a drive letter, `:` and a separator, or a UNC share (`\\server\share`).
    package static func isWindowsAbsolute(_ path: String) -> Bool {
        if path.hasPrefix("\\\\") { return true }
        let characters = Array(path.prefix(3))
        return characters.count == 3 && characters[0].isASCII && characters[0].isLetter && characters[1] == ":"
            && (characters[2] == "\\" || characters[2] == "/")
    }

    /// `path` relative to `folder` ("" when equal), nil when it is not inside (both absolute and normalized).
    package static func relative(_ path: String, to folder: String) -> String? {
        if path == folder { return "" }
        if folder == "/" { return String(path.dropFirst()) }
        return path.hasPrefix(folder + "/") ? String(path.dropFirst(folder.count + 1)) : nil
    }

    /// `base/relative`, or `relative` when it is absolute (no normalizing).
    package static func join(_ base: String, _ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// `path` made absolute (against the current folder when relative), standardized, with symbolic
    /// links resolved and no trailing slash.
    package static func canonical(_ path: String) -> String {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return resolved.count > 1 && resolved.hasSuffix("/") ? String(resolved.dropLast()) : resolved
    }
}
