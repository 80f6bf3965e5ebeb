import Foundation

/// What the loopback servers of the test support share: a free port and running a tool to completion.
enum LoopbackTools {
    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw NSError(domain: "LoopbackTools", code: 1) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs `tool` with `arguments` and waits; throws with its output when it exits non-zero.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], domain: String, directory: URL? = nil) throws -> String {
        let process = Process()
        if let directory { process.currentDirectoryURL = directory }
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        // Output goes to a file, not a pipe: a daemon the tool starts (pg_ctl's postgres) may keep a pipe open.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("komply-tool-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: domain, code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments.joined(separator: " ")) failed: \(output)"])
        }
        return output
    }
}
