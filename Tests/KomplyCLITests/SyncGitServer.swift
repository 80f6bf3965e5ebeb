import Foundation
import XCTest

/// A real git server for the sync tests: bare repositories served by `git http-backend` through
/// fcgiwrap behind nginx on a loopback port, with basic auth (user `x-access-token`, the token as
/// password). nginx runs in the foreground as a child process with its own prefix in a temp folder.
final class SyncGitServer {
    /// The folder holding the served bare repositories (`<root>/repos/<owner>/<name>.git`).
    let root: String
    let port: Int
    private var processes: [Process] = []

    static let nginx = "/usr/sbin/nginx"
    static let fcgiwrap = "/usr/sbin/fcgiwrap"
    static let httpBackend = "/usr/lib/git-core/git-http-backend"

    /// Starts the server, or fails the test (never skips) when nginx, fcgiwrap or git are missing.
    static func start(token: String, test: XCTestCase) throws -> SyncGitServer {
        for tool in [nginx, fcgiwrap, httpBackend] where !FileManager.default.isExecutableFile(atPath: tool) {
            XCTFail(
                "\(tool) is missing; install it with `apt-get install -y nginx fcgiwrap git` (.ci/run does) — the sync tests need a real git server"
            )
            throw XCTSkip("missing \(tool)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("komply-gitsrv-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root + "/repos", withIntermediateDirectories: true)
        for folder in ["logs", "tmp"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let server = SyncGitServer(root: root, port: try freePort())
        test.addTeardownBlock {
            server.stop()
            try? FileManager.default.removeItem(atPath: root)
        }
        try "x-access-token:{PLAIN}\(token)\n".write(toFile: root + "/htpasswd", atomically: true, encoding: .utf8)
        try server.configuration.write(toFile: root + "/nginx.conf", atomically: true, encoding: .utf8)
        let socket = root + "/fcgiwrap.sock"
        // One fcgiwrap process (no -c): a prefork parent would leave its children behind.
        try server.launch(fcgiwrap, ["-s", "unix:" + socket])
        try server.launch(nginx, ["-p", root, "-c", root + "/nginx.conf", "-e", root + "/logs/error.log"])
        try server.waitUntilReady(socket: socket)
        return server
    }

    private init(root: String, port: Int) {
        self.root = root
        self.port = port
    }

    /// Creates an empty bare repository served at `http://127.0.0.1:<port>/<path>`.
    func createRepository(_ path: String) throws -> (url: String, folder: String) {
        let folder = root + "/repos/" + path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try SyncGit.run(folder, "init", "-q", "--bare", "-b", "main")
        _ = try SyncGit.run(folder, "config", "http.receivepack", "true")
        return ("http://127.0.0.1:\(port)/" + path, folder)
    }

    func stop() {
        for process in processes.reversed() {
            let pid = process.processIdentifier
            guard pid > 0, kill(pid, 0) == 0 else { continue }
            process.terminate()
            // Bounded: never hang a test run on a server that ignores SIGTERM.
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
        processes = []
    }

    private var configuration: String {
        """
        daemon off;
        master_process off;
        worker_processes 1;
        pid \(root)/nginx.pid;
        error_log \(root)/logs/error.log warn;
        events { worker_connections 64; }
        http {
            access_log off;
            client_body_temp_path \(root)/tmp/body;
            fastcgi_temp_path \(root)/tmp/fastcgi;
            proxy_temp_path \(root)/tmp/proxy;
            uwsgi_temp_path \(root)/tmp/uwsgi;
            scgi_temp_path \(root)/tmp/scgi;
            client_max_body_size 0;
            server {
                listen 127.0.0.1:\(port);
                location / {
                    auth_basic "git";
                    auth_basic_user_file \(root)/htpasswd;
                    fastcgi_pass unix:\(root)/fcgiwrap.sock;
                    fastcgi_param SCRIPT_FILENAME \(Self.httpBackend);
                    fastcgi_param GIT_PROJECT_ROOT \(root)/repos;
                    fastcgi_param GIT_HTTP_EXPORT_ALL "";
                    fastcgi_param PATH_INFO $uri;
                    fastcgi_param REMOTE_USER $remote_user;
                    fastcgi_param REQUEST_METHOD $request_method;
                    fastcgi_param QUERY_STRING $query_string;
                    fastcgi_param CONTENT_TYPE $content_type;
                    fastcgi_param CONTENT_LENGTH $content_length;
                    fastcgi_param HTTP_CONTENT_ENCODING $http_content_encoding;
                    fastcgi_param GIT_CONFIG_NOSYSTEM 1;
                    fastcgi_param HOME \(root);
                }
            }
        }

        """
    }

    private func launch(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(
            forWritingTo: URL(fileURLWithPath: touch(root + "/logs/\((executable as NSString).lastPathComponent).stderr")))
        try process.run()
        processes.append(process)
    }

    private func touch(_ path: String) -> String {
        FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    private func waitUntilReady(socket: String) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: socket), Self.canConnect(port: port) { return }
            if let dead = processes.first(where: { !$0.isRunning }) {
                let log = (try? String(contentsOfFile: root + "/logs/error.log", encoding: .utf8)) ?? ""
                throw NSError(
                    domain: "SyncGitServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(dead.executableURL!.path) exited: \(log)"])
            }
            usleep(50_000)
        }
        throw NSError(
            domain: "SyncGitServer", code: 2, userInfo: [NSLocalizedDescriptionKey: "nginx did not listen on \(port) within 10 s"])
    }

    /// A loopback port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw NSError(domain: "SyncGitServer", code: 3) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// The git CLI with a hermetic configuration, for setting up and inspecting repositories.
enum SyncGit {
    static func environment(home: String = NSTemporaryDirectory()) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = NSTemporaryDirectory() + "/komply-no-gitconfig"  // absent: no user config
        environment["HOME"] = home
        for key in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { environment[key] = "Dev" }
        for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { environment[key] = "dev@example.com" }
        for key in ["KOMPLY_GIT_TOKEN", "GITHUB_TOKEN", "GITEA_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN", "KOMPLY_API_TOKEN"] {
            environment[key] = nil
        }
        return environment
    }

    /// `git -C folder args…`; throws with git's message on failure.
    @discardableResult
    static func run(_ folder: String, _ arguments: String...) throws -> String {
        let result = try CLIHarness.run(
            executable: URL(fileURLWithPath: "/usr/bin/git"), ["-C", folder] + arguments,
            in: URL(fileURLWithPath: folder), environment: environment())
        guard result.status == 0 else {
            throw NSError(
                domain: "git", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: "git \(arguments): \(result.stderr)"])
        }
        return result.stdout.trimmingCharacters(in: .newlines)
    }
}
