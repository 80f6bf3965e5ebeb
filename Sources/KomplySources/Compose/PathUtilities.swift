import Foundation
import KomplyCore

/// Pure path arithmetic on POSIX paths for the compose reader (confinement is Core's `RepositoryRoot`).
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
}
