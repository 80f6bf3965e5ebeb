import Foundation
import XCTest

/// Runs the built `komply` binary the way a user does, capturing status and both output streams.
enum CLIHarness {
    /// The repository root (this file is `Tests/KomplyCLITests/CLIHarness.swift`).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The komply binary SwiftPM built beside the test bundle.
    static var komplyBinary: URL {
        let bundle = Bundle(for: BundleMarker.self).bundleURL
        // macOS: `…/debug/komplyPackageTests.xctest`; Linux: the folder holding the test executable.
        let folder = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        return folder.appendingPathComponent("komply")
    }

    /// What one run printed and returned.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `komply arguments…` in `directory` (the repository root by default).
    static func run(_ arguments: [String], in directory: URL = repository, environment: [String: String]? = nil) throws -> Result {
        try run(executable: komplyBinary, arguments, in: directory, environment: environment)
    }

    /// Runs any executable; standard error goes to a temporary file so neither stream can fill up and block.
    static func run(executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if let environment { process.environment = environment }
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("komply-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errHandle.close()
        let errData = try Data(contentsOf: errURL)
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A test-only tool from `.venv/bin` (installed by scripts/setup); skipped when missing outside CI,
    /// a failure in CI (`CI` set), so a check cannot silently stop running there.
    static func venvTool(_ name: String) throws -> URL {
        let tool = repository.appendingPathComponent(".venv/bin/" + name)
        if FileManager.default.isExecutableFile(atPath: tool.path) { return tool }
        let message = "\(name) is not at \(tool.path); run scripts/setup (it installs \(name) into .venv)"
        let ci = ProcessInfo.processInfo.environment["CI"].map { !["", "0", "false"].contains($0.lowercased()) } ?? false
        guard !ci else {
            throw NSError(
                domain: "CLIHarness", code: 1,
                userInfo: [NSLocalizedDescriptionKey: message + " (CI is set, so a missing tool fails the test)"])
        }
        throw XCTSkip(message)
    }

    private final class BundleMarker {}
}
