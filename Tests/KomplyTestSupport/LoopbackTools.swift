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
    ///
    /// posix_spawn and waitpid, not Foundation's `Process`: `Process.waitUntilExit()` never returned for
    /// `runuser … pg_ctl start` (the daemon pg_ctl leaves behind kept the child unreaped). Output goes to a
    /// file, not a pipe, for the same reason: a daemon the tool starts may keep a pipe open forever.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], domain: String, directory: URL? = nil) throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("komply-tool-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        // The working directory through the shell: `cd` then `exec`, arguments passed as positional parameters.
        var argv = [tool] + arguments
        var program = tool
        if let directory {
            program = "/bin/sh"
            argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path, tool] + arguments
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program, &actions, nil, &cArguments, environ)
        guard spawned == 0 else {
            throw NSError(
                domain: domain, code: Int(spawned),
                userInfo: [NSLocalizedDescriptionKey: "\(tool) could not start: \(String(cString: strerror(spawned)))"])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS are macros Swift does not import.
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw NSError(
                domain: domain, code: exited ? Int(code) : 128 + Int(status & 0x7f),
                userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments.joined(separator: " ")) failed: \(output)"])
        }
        return output
    }
}
