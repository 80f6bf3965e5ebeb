import Foundation
import XCTest

/// Real repositories for KomplyGit's tests, made with the git CLI in temporary folders.
struct GitFixture {
    /// A fixed identity and no user or system configuration, so tests behave the same everywhere.
    static let environment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = NSTemporaryDirectory() + "/komply-no-gitconfig"  // absent: no user config
        environment["GIT_AUTHOR_NAME"] = "Test"
        environment["GIT_AUTHOR_EMAIL"] = "test@example.com"
        environment["GIT_COMMITTER_NAME"] = "Test"
        environment["GIT_COMMITTER_EMAIL"] = "test@example.com"
        return environment
    }()

    /// A new empty folder, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-git-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
    }

    /// `git init -b main` in a new folder.
    static func repository(_ test: XCTestCase) throws -> String {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "the git CLI is not installed")
        let folder = try temporaryDirectory(test)
        try git(folder, "init", "-q", "-b", "main")
        return folder
    }

    /// Writes `files` into the worktree, stages everything and commits.
    static func commit(_ repo: String, _ files: [String: String], message: String) throws {
        try write(repo, files)
        try git(repo, "add", "-A")
        try git(repo, "commit", "-q", "-m", message)
    }

    static func write(_ repo: String, _ files: [String: String]) throws {
        for (path, text) in files {
            let url = URL(fileURLWithPath: repo).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    /// Runs `git -C repo args…` and returns its standard output without the final newline.
    @discardableResult
    static func git(_ repo: String, _ arguments: String...) throws -> String {
        try git(repo, arguments)
    }

    @discardableResult
    static func git(_ repo: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", repo] + arguments
        process.environment = environment
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("git-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw NSError(
                domain: "git", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "git \(arguments.joined(separator: " ")): \(message)"])
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// SHA-256 of every worktree file (outside `.git`) and of `.git/index`: equal before and after
    /// means komply touched neither.
    static func snapshot(_ repo: String) throws -> [String: String] {
        var digests: [String: String] = [:]
        let root = URL(fileURLWithPath: repo)
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let url as URL in enumerator {
            let relative = String(url.path.dropFirst(root.path.count + 1))
            if relative == ".git" || relative.hasPrefix(".git/") && relative != ".git/index" { continue }
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            digests[relative] = try git(repo, "hash-object", "--no-filters", url.path)
        }
        if FileManager.default.fileExists(atPath: repo + "/.git/index") {
            digests[".git/index"] = try git(repo, "hash-object", "--no-filters", repo + "/.git/index")
        }
        return digests
    }
}
