import Foundation
import KomplyCore

/// Tags for images komply names itself (`build:`-only services): a digest of the build context's files.
///
/// A content digest changes exactly when the sources change, so regenerating after an unrelated
/// commit produces no drift, and the same tree gives the same tag on every machine. The walk never
/// leaves the context: a symbolic link is hashed as its target text (as docker sends it in the build
/// context), never followed, and sockets, pipes and devices are hashed by their kind, never opened.
public enum BuildContextDigest {
    /// `src-<12 hex>` for the files under `directory` (`.git` and dot-folders skipped), or nil when it does not exist.
    public static func tag(directory: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        var entries: [(relative: String, kind: EntryKind)] = []
        collect(directory, prefix: "", into: &entries)
        var manifest = Data()
        for entry in entries.sorted(by: { $0.relative < $1.relative }) {
            let path = (directory as NSString).appendingPathComponent(entry.relative)
            let contents: Data
            switch entry.kind {
            case .file: contents = FileManager.default.contents(atPath: path) ?? Data()
            case .link(let target): contents = Data("symlink:\(target)".utf8)
            case .special: contents = Data("special".utf8)
            }
            manifest.append(Data("\(entry.relative)\0\(contents.count)\0".utf8))
            manifest.append(Data(SHA256.hex(contents).utf8))
        }
        return "src-" + String(SHA256.hex(manifest).prefix(12))
    }

    /// Tags for every `build:`-only service of the projects, keyed `app/service`. A context that does
    /// not resolve inside the project's repository root (the reader refuses those) is never read.
    public static func tags(for projects: [ComposeProject]) -> [String: String] {
        var tags: [String: String] = [:]
        for project in projects {
            guard let directory = project.projectDirectory, let root = project.repositoryRoot else { continue }
            for service in project.services where service.image == nil {
                guard case .string(let context)? = service.build?["context"], !context.contains("://") else { continue }
                let resolved = try? RepositoryRoot(root).resolve(context, from: directory, at: nil)
                tags["\(project.name)/\(service.name)"] = resolved.flatMap { tag(directory: $0) } ?? "src-missing"
            }
        }
        return tags
    }
}

private extension BuildContextDigest {
    /// What one entry of a context is, as far as the digest cares.
    enum EntryKind {
        case file
        case link(String)
        case special
    }

    /// Every entry below `folder` (relative to the context), dot-entries skipped, links not followed.
    static func collect(_ folder: String, prefix: String, into entries: inout [(relative: String, kind: EntryKind)]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        for name in names where !name.hasPrefix(".") {
            let path = (folder as NSString).appendingPathComponent(name)
            let relative = prefix.isEmpty ? name : prefix + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR: collect(path, prefix: relative, into: &entries)
            case S_IFREG: entries.append((relative, .file))
            case S_IFLNK: entries.append((relative, .link((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")))
            default: entries.append((relative, .special))
            }
        }
    }
}
