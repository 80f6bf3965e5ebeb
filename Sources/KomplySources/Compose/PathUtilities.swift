import Foundation
import KomplyCore

/// Pure path arithmetic on POSIX paths, plus the check that a path stays inside the repository.
enum PathUtilities {
    /// `base/relative`, or `relative` when it is absolute.
    static func join(_ base: String, _ relative: String) -> String {
        Paths.join(base, relative)
    }

    /// Removes `.`, `..` and duplicate slashes without touching the file system.
    static func normalize(_ path: String) -> String {
        Paths.normalized(path)
    }

    /// `path` relative to `base` as `./x`, `.` or `../x` (both absolute and normalised).
    static func relative(_ path: String, to base: String) -> String {
        if path == base { return "." }
        let target = path.split(separator: "/")
        let origin = base.split(separator: "/")
        var common = 0
        while common < target.count, common < origin.count, target[common] == origin[common] { common += 1 }
        let ups = Array(repeating: "..", count: origin.count - common)
        let rest = target[common...].map(String.init)
        let parts = ups + rest
        if ups.isEmpty { return "./" + rest.joined(separator: "/") }
        return parts.joined(separator: "/")
    }

    /// The absolute, normalised form of a path given relative to the current directory.
    static func absolute(_ path: String) -> String {
        normalize(join(FileManager.default.currentDirectoryPath, path))
    }

    /// Follows symlinks (when the file exists) so a link cannot smuggle a path out of the root.
    static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return normalize(path) }
        defer { free(real) }
        return String(cString: real)
    }

    /// True when `path` is `root` or inside it.
    static func isInside(_ path: String, root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Throws when `path` (after following symlinks) leaves `root`.
    static func checkInside(_ path: String, root: String, location: SourceLocation?, shown: String) throws(SourcesError) {
        let realRoot = resolved(root)
        guard isInside(resolved(path), root: realRoot) else {
            throw .pathEscapesRoot(location, path: shown, root: root)
        }
    }

    /// The repository root for a directory: the nearest ancestor holding `.git`, else the directory itself.
    static func repositoryRoot(for directory: String) -> String {
        var current = normalize(directory)
        while true {
            if FileManager.default.fileExists(atPath: join(current, ".git")) { return current }
            guard current != "/" else { return normalize(directory) }
            current = normalize(join(current, ".."))
        }
    }
}
