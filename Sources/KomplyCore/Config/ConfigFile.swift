import Foundation

/// `komply.yaml`, the one configuration file: found once (the current folder up to the repository
/// root), read once, and handed to each feature, which decodes and validates its own section
/// (`policy`, `predict`, `history`, the generator's top-level keys).
public struct ConfigFile: Sendable {
    /// The config file's name.
    public static let fileName = "komply.yaml"

    /// The path as errors show it: as given, or relative to the folder discovery started from.
    public let path: String
    /// The documents of the file (one for a valid config; none for an empty file).
    public let documents: [Node]

    /// The first document, when the file has one.
    public var root: Node? { documents.first }

    /// The folder relative paths in the file start from (the file's folder, `.` when it has none).
    public var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The value of a top-level key, when the root is a mapping that has it.
    public func section(_ key: String) -> Node? { root?[key] }

    /// `relative` (a path written in the file) as a path usable from where komply runs: unchanged
    /// when absolute or when the file is in the current folder, else joined to `directory`.
    public func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") || directory == "." ? relative : directory + "/" + relative
    }

    /// A config read from documents already parsed (tests, snapshots).
    public init(path: String, documents: [Node]) {
        self.path = path
        self.documents = documents
    }

    /// Reads the file at `path`; errors name it as written.
    public static func load(path: String) throws(CoreError) -> ConfigFile {
        ConfigFile(path: path, documents: try YAMLLoader.load(path: path, displayName: path))
    }

    /// Parses config text; `file` is the name errors use.
    public static func parse(_ text: String, file: String = fileName) throws(CoreError) -> ConfigFile {
        ConfigFile(path: file, documents: try YAMLLoader.parse(text, file: file))
    }

    /// The `komply.yaml` in `directory` or the nearest folder above it, looking no higher than the
    /// repository root (the first folder holding `.git`; outside a repository, `directory` only); nil
    /// when there is none. A file that is a symbolic link leading out of the repository is refused,
    /// never read. The path is shown relative to the current folder when it lies below it.
    public static func discover(from directory: String) throws(CoreError) -> ConfigFile? {
        guard let found = try locate(from: directory) else { return nil }
        return try load(path: found)
    }

    /// Where `discover(from:)` finds the file, without reading it.
    public static func locate(from directory: String) throws(CoreError) -> String? {
        let current = FileManager.default.currentDirectoryPath
        let start = ((directory.hasPrefix("/") ? directory : current + "/" + directory) as NSString).standardizingPath
        let root = RepositoryRoot.enclosing(start) ?? RepositoryRoot(start)
        var folder = start
        while true {
            let candidate = (folder == "/" ? "" : folder) + "/" + fileName
            if FileManager.default.fileExists(atPath: candidate) || isLink(candidate) {
                let shown = displayPath(candidate, from: current)
                do { _ = try root.resolve(fileName, from: folder, at: nil) } catch {
                    guard case .pathEscapesRoot(_, _, let through) = error else { throw error }
                    throw .pathEscapesRoot(nil, path: shown, through: through)
                }
                return shown
            }
            let parent = (folder as NSString).deletingLastPathComponent
            if Paths.canonical(folder) == root.path || parent == folder || parent.isEmpty { return nil }
            folder = parent
        }
    }
}

private extension ConfigFile {
    /// True for a symbolic link, dangling or not (`fileExists` follows links and misses dangling ones).
    static func isLink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }

    static func displayPath(_ absolute: String, from current: String) -> String {
        let prefix = current.hasSuffix("/") ? current : current + "/"
        return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
    }
}
