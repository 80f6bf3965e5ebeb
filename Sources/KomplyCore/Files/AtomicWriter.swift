import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes files so that readers see either the old bytes or the new ones, never a mix: the data goes
/// to a temporary file in the same folder, is flushed to disk, and is renamed over the target.
///
/// Missing parent folders are created. An existing file keeps its permission bits (new files get
/// 0644). A symbolic link at the target is replaced by the file, not written through. On any failure
/// the temporary file is removed and the target is left as it was.
public enum AtomicWriter {
    /// Replaces (or creates) the file at `path` with `data`.
    public static func write(_ data: Data, to path: String) throws(CoreError) { try write(chunks: [data], to: path) }

    /// Replaces (or creates) the file at `path` with the chunks' bytes, one after another (a large
    /// report written in pieces is not joined in memory first).
    public static func write(chunks: [Data], to path: String) throws(CoreError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(file: path, reason: "cannot create folder \(folder): \(Self.describe(error))")
        }
        var existing = stat()
        let exists = lstat(path, &existing) == 0
        if exists, existing.st_mode & S_IFMT == S_IFDIR {
            throw .cannotWrite(file: path, reason: "it is a folder")
        }
        // A device, FIFO or socket (`-o /dev/null`, `-o /dev/stdout`) is written through, never renamed over:
        // replacing /dev/null with a regular file would break every program on the machine.
        var target = stat()
        if stat(path, &target) == 0, target.st_mode & S_IFMT != S_IFREG, target.st_mode & S_IFMT != S_IFDIR {
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { throw .cannotWrite(file: path, reason: Self.lastError()) }
            defer { close(fd) }
            try Self.writeAll(fd, chunks, path)
            return
        }
        let mode: mode_t = exists && existing.st_mode & S_IFMT == S_IFREG ? existing.st_mode & 0o7777 : 0o644
        let temporary = try stage(chunks: chunks, besides: path, mode: mode)
        guard rename(temporary, path) == 0 else {
            let reason = "rename: \(Self.lastError())"
            unlink(temporary)
            throw .cannotWrite(file: path, reason: reason)
        }
        Self.syncFolder(folder)
    }

    /// Writes the chunks to a new temporary file in `path`'s folder (which must exist) with `mode`, flushed
    /// to disk, and returns its path: renaming it over `path` is the write. On failure nothing is left behind.
    package static func stage(chunks: [Data], besides path: String, mode: mode_t) throws(CoreError) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array("\(folder)/.\(url.lastPathComponent).komply-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .cannotWrite(file: path, reason: "cannot create a temporary file: \(Self.lastError())") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var closed = false
        do throws(CoreError) {
            try Self.writeAll(fd, chunks, path)
            guard fchmod(fd, mode) == 0 else { throw CoreError.cannotWrite(file: path, reason: Self.lastError()) }
            guard fsync(fd) == 0 else { throw CoreError.cannotWrite(file: path, reason: "fsync: \(Self.lastError())") }
            closed = true
            guard close(fd) == 0 else { throw CoreError.cannotWrite(file: path, reason: "close: \(Self.lastError())") }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        return temporary
    }

    /// Flushes the folder entry so that renames into it survive a crash; best effort, as some file systems refuse it.
    package static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Writes `data` to `path` only when the file does not already hold exactly these bytes; returns
    /// true when it wrote, so callers can report what changed and leave timestamps alone otherwise.
    @discardableResult
    public static func writeIfChanged(_ data: Data, to path: String) throws(CoreError) -> Bool {
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) == data.count,
            let current = FileManager.default.contents(atPath: path), current == data
        {
            return false
        }
        try write(data, to: path)
        return true
    }
}

private extension AtomicWriter {
    /// Writes every byte, retrying short writes and interrupted calls.
    static func writeAll(_ fd: Int32, _ chunks: [Data], _ path: String) throws(CoreError) {
        for chunk in chunks { try writeAll(fd, chunk, path) }
    }

    static func writeAll(_ fd: Int32, _ data: Data, _ path: String) throws(CoreError) {
        let failure: String? = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return lastError()
                }
                offset += n
            }
            return nil
        }
        if let failure { throw .cannotWrite(file: path, reason: failure) }
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }

    static func describe(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? error.localizedDescription
    }
}

/// `write(2)`; a free function because `AtomicWriter.write` hides the C name inside the type.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.write(fd, buffer, count)
    #else
        return Darwin.write(fd, buffer, count)
    #endif
}
