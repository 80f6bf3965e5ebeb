import Foundation
import KomplyCore

// The files of a bind-mounted config folder: all of them, sub-folders included, or none with the reason.
extension ServiceBuilder {
    /// The files of the folder at `absolute` (a bind mount's source), sub-folders included, with their paths relative
    /// to it; or why the folder cannot be carried whole (an entry outside the repository, too many files or levels).
    /// Version-control metadata (`.git`, `.DS_Store`) is no configuration and is skipped.
    func configFolderFiles(_ absolute: String) -> (files: [(path: String, relative: String)], refusal: String?) {
        var files: [(path: String, relative: String)] = []
        var pending: [(path: String, relative: String, depth: Int)] = [(absolute, "", 0)]
        while let folder = pending.popLast() {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            for entry in names where !Self.skippedEntries.contains(entry) {
                let relative = folder.relative.isEmpty ? entry : "\(folder.relative)/\(entry)"
                // Each entry resolved again: a link in the folder must not carry the read outside.
                guard let path = confinedPath(entry, from: folder.path) else {
                    return ([], "\(relative) leads outside the repository")
                }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    return ([], "\(relative) cannot be read")
                }
                if isDirectory.boolValue {
                    guard folder.depth + 1 < Self.maxFolderDepth else {
                        return ([], "\(relative) is more than \(Self.maxFolderDepth) folders deep")
                    }
                    pending.append((path, relative, folder.depth + 1))
                } else {
                    files.append((path, relative))
                }
                guard files.count <= Self.maxFolderFiles else {
                    return ([], "it holds more than \(Self.maxFolderFiles) files")
                }
            }
        }
        return (files.sorted { $0.relative < $1.relative }, nil)
    }
}

private extension ServiceBuilder {
    /// Entries that are no part of a configuration.
    static let skippedEntries: Set<String> = [".git", ".DS_Store"]
    /// The most files one mounted folder carries into a ConfigMap.
    static let maxFolderFiles = 256
    /// The deepest sub-folder one mounted folder carries.
    static let maxFolderDepth = 8
}
