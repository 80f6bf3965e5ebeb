import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Paths {
    /// Where a path really is once the symbolic links along it are followed, and which links those were.
    package struct Resolution: Sendable, Equatable {
        /// One symbolic link met on the way.
        package struct Link: Sendable, Equatable {
            /// The link's own path (absolute, as reached).
            package var path: String
            /// What the link says (`readlink`), as the user would see it in `ls -l`.
            package var destination: String
            /// Where it leads with every link resolved; nil when that does not exist (or loops).
            package var resolved: String?
        }

        /// The real path: the existing part with links resolved, the missing rest appended as written.
        package var path: String
        /// The links followed, outermost first; the last one is unresolvable when `path` could not be found.
        package var links: [Link]

        /// The first link that dangles or leads outside `folder` (a real path); nil when every one stays inside.
        package func firstLink(leaving folder: String) -> Link? {
            links.first { link in link.resolved.map { Paths.relative($0, to: folder) == nil } ?? true }
        }
    }

    /// `path` (absolute, or relative to the current folder) with its symbolic links followed, component by
    /// component, so that a caller can tell where a write would land before making it. `..` is taken
    /// physically, as the system does (`link/..` is the parent of where the link leads), up to the first
    /// component that does not exist; the missing rest is appended, normalized.
    package static func resolvingLinks(_ path: String) -> Resolution {
        let absolute = path.hasPrefix("/") ? path : join(FileManager.default.currentDirectoryPath, path)
        let parts = absolute.split(separator: "/").map(String.init).filter { $0 != "." }
        var current = "/"
        var links: [Resolution.Link] = []
        for (index, part) in parts.enumerated() {
            if part == ".." {
                current = (current as NSString).deletingLastPathComponent
                continue
            }
            let candidate = join(current, part)
            var info = stat()
            guard lstat(candidate, &info) == 0 else {
                return Resolution(path: appending(parts[index...], to: current), links: links)
            }
            guard info.st_mode & S_IFMT == S_IFLNK else {
                current = candidate
                continue
            }
            let destination = (try? FileManager.default.destinationOfSymbolicLink(atPath: candidate)) ?? "?"
            guard let resolved = realPath(candidate) else {
                links.append(Resolution.Link(path: candidate, destination: destination, resolved: nil))
                return Resolution(path: appending(parts[(index + 1)...], to: candidate), links: links)
            }
            links.append(Resolution.Link(path: candidate, destination: destination, resolved: resolved))
            current = resolved
        }
        return Resolution(path: current, links: links)
    }
}

private extension Paths {
    /// `folder` followed by the components `rest` (just `folder` when there are none).
    static func appending(_ rest: ArraySlice<String>, to folder: String) -> String {
        rest.isEmpty ? folder : normalized(join(folder, rest.joined(separator: "/")))
    }

    /// `realpath(3)`: nil when the path (or a link on it) does not exist or loops.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
