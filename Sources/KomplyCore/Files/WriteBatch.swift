import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File writes and removals that land all together or not at all: every new file is first written to a
/// temporary file beside its target and flushed, and only when all of them exist are they renamed over
/// their targets; the removals come last. If a step fails, what was already renamed or removed is put back
/// (the old bytes and permissions are kept in memory) and the folders the batch created are removed.
///
/// Targets are real paths: a symbolic link, folder, device or pipe at a target is refused, never replaced
/// (callers resolve links first and decide whether following one is allowed).
package struct WriteBatch {
    /// `rename(2)`; replaceable so that tests can make the n-th rename fail.
    package var rename: (String, String) -> Int32 = { systemRename($0, $1) }

    private var writes: [(path: String, data: Data)] = []
    private var removals: [String] = []

    /// An empty batch.
    package init() {}

    /// The paths the batch writes, in the order they were added.
    package var writtenPaths: [String] { writes.map(\.path) }

    /// Adds a write of `data` to `path` (created with 0644, or keeping the existing file's permissions).
    package mutating func write(_ data: Data, to path: String) { writes.append((path, data)) }

    /// Adds the removal of the regular file at `path`.
    package mutating func remove(_ path: String) { removals.append(path) }

    /// Applies every write and removal, or none of them; the error names the file that failed.
    package func commit() throws(CoreError) {
        var transaction = Transaction(rename: rename)
        do throws(CoreError) {
            for write in writes { try transaction.stage(write.data, to: write.path) }
            for path in removals { try transaction.remember(path) }
            try transaction.renameAll()
            try transaction.removeAll(removals)
        } catch {
            transaction.undo()
            throw error
        }
        for folder in Set((writes.map(\.path) + removals).map { ($0 as NSString).deletingLastPathComponent }).sorted() {
            AtomicWriter.syncFolder(folder)
        }
    }
}

private extension WriteBatch {
    /// What has been done so far, so that it can be undone.
    struct Transaction {
        let rename: (String, String) -> Int32
        /// Folders created, outermost first.
        var createdFolders: [String] = []
        /// Temporary files not yet renamed, with their targets.
        var staged: [(temporary: String, path: String)] = []
        /// The bytes and permissions of every existing file the batch replaces or removes.
        var previous: [String: (data: Data, mode: mode_t)] = [:]
        /// Targets renamed over, and files removed, in order.
        var renamed: [String] = []
        var removed: [String] = []

        mutating func stage(_ data: Data, to path: String) throws(CoreError) {
            try createFolders(for: path)
            let mode = try remember(path, mustExist: false)
            staged.append((try AtomicWriter.stage(chunks: [data], besides: path, mode: mode ?? 0o644), path))
        }

        /// Keeps the existing regular file's bytes and permissions; refuses anything else at `path`.
        @discardableResult
        mutating func remember(_ path: String, mustExist: Bool = true) throws(CoreError) -> mode_t? {
            var info = stat()
            guard lstat(path, &info) == 0 else {
                if mustExist { throw .cannotWrite(file: path, reason: "it no longer exists") }
                return nil
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw .cannotWrite(file: path, reason: "it is a folder")
            case S_IFLNK: throw .cannotWrite(file: path, reason: "it is a symbolic link, which komply never replaces")
            default: throw .cannotWrite(file: path, reason: "it is not a regular file")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .cannotWrite(file: path, reason: "cannot read the file it replaces")
            }
            let mode = info.st_mode & 0o7777
            previous[path] = (data, mode)
            return mode
        }

        mutating func createFolders(for path: String) throws(CoreError) {
            var missing: [String] = []
            var folder = (path as NSString).deletingLastPathComponent
            var info = stat()
            while !folder.isEmpty, folder != "/", lstat(folder, &info) != 0 {
                missing.append(folder)
                folder = (folder as NSString).deletingLastPathComponent
            }
            for folder in missing.reversed() {
                guard mkdir(folder, 0o755) == 0 else {
                    throw .cannotWrite(file: path, reason: "cannot create folder \(folder): \(String(cString: strerror(errno)))")
                }
                createdFolders.append(folder)
            }
        }

        mutating func renameAll() throws(CoreError) {
            while let next = staged.first {
                guard rename(next.temporary, next.path) == 0 else {
                    throw .cannotWrite(file: next.path, reason: "rename: \(String(cString: strerror(errno)))")
                }
                staged.removeFirst()
                renamed.append(next.path)
            }
        }

        mutating func removeAll(_ paths: [String]) throws(CoreError) {
            for path in paths {
                guard unlink(path) == 0 else {
                    throw .cannotWrite(file: path, reason: "cannot remove it: \(String(cString: strerror(errno)))")
                }
                removed.append(path)
            }
        }

        /// Puts back what was renamed over or removed, drops the temporary files and the folders created.
        func undo() {
            for (temporary, _) in staged { unlink(temporary) }
            for path in (renamed + removed).reversed() {
                if let old = previous[path] {
                    if let temporary = try? AtomicWriter.stage(chunks: [old.data], besides: path, mode: old.mode) {
                        if systemRename(temporary, path) != 0 { unlink(temporary) }
                    }
                } else {
                    unlink(path)
                }
            }
            for folder in createdFolders.reversed() { rmdir(folder) }
        }
    }
}

/// `rename(2)`, outside the type whose property has the same name.
private func systemRename(_ from: String, _ to: String) -> Int32 {
    #if canImport(Glibc)
        return Glibc.rename(from, to)
    #else
        return Darwin.rename(from, to)
    #endif
}
