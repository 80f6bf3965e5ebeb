import Foundation

/// A real PostgreSQL 15 server (Debian's `postgresql-15`) in a temporary folder, listening on a free loopback
/// port with its unix socket in that folder; stopped and removed by `stop()` or when released.
///
/// PostgreSQL refuses to run as root, so as root (CI, the sessions) every tool runs as the `postgres` user
/// through `runuser`, in a folder that user owns. Authentication is `trust` for the superuser `postgres`.
public final class PostgresServer: @unchecked Sendable {
    /// Where Debian installs PostgreSQL 15's programs.
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The superuser name.
    public let user = "postgres"
    private let folder: URL
    private var running = true

    /// Whether `initdb` is installed (`apt-get install postgresql-15`).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "\(binaries)/initdb") }

    /// Initialises a cluster and starts it; returns once it accepts connections.
    public init() throws {
        folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("komply-postgres-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if getuid() == 0 {
            try FileManager.default.setAttributes(
                [.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: folder.path)
        }
        port = try LoopbackTools.freePort()
        let data = folder.appendingPathComponent("data").path
        do {
            try Self.tool("initdb", ["-D", data, "-U", user, "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
            let options = [
                "-p \(port)", "-k \(folder.path)", "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
            try Self.tool(
                "pg_ctl",
                [
                    "-D", data, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60", "-o",
                    options.joined(separator: " "), "start",
                ])
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Creates an empty database and returns komply's URL for it, `postgres://postgres@127.0.0.1:PORT/NAME`.
    public func createDatabase(_ name: String = "komply_\(UUID().uuidString.prefix(8).lowercased())") throws -> String {
        try Self.tool("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, name])
        return url(database: name)
    }

    /// komply's URL for `database` on this server.
    public func url(database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// Runs SQL with `psql` against `database` and returns its unaligned output.
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> String {
        try Self.tool(
            "psql", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// Stops the server (immediately: nothing in it is kept) and removes its folder.
    public func stop() {
        if running {
            running = false
            _ = try? Self.tool("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

private extension PostgresServer {
    /// Runs one of PostgreSQL's programs, as `postgres` when this process is root.
    @discardableResult
    static func tool(_ name: String, _ arguments: [String]) throws -> String {
        let program = "\(binaries)/\(name)"
        if getuid() == 0 {
            // From a folder `postgres` may enter: pg_ctl refuses a working directory it cannot read.
            return try LoopbackTools.run(
                "/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments, domain: "PostgresServer",
                directory: URL(fileURLWithPath: "/tmp"))
        }
        return try LoopbackTools.run(program, arguments, domain: "PostgresServer")
    }
}
