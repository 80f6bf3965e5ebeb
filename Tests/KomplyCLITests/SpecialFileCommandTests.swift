import Foundation
import XCTest

/// Named pipes are never opened as inputs: each used to block `komply` forever.
final class SpecialFileCommandTests: XCTestCase {
    func testFIFOAsComposeFileExitsTwoNamingIt() throws {
        let directory = try temporaryDirectory()
        try makePipe(directory.appendingPathComponent("compose.yaml"))
        let result = try runBounded(["sources", "compose.yaml"], in: directory)
        XCTAssertEqual(result?.status, 2, result?.stderr ?? "komply blocked")
        XCTAssertEqual(result?.stderr, "komply: error: compose.yaml: not a regular file (a named pipe); expected a file\n")
    }

    /// A pipe found while walking a folder is reported as unreadable (exit 2); the other files are linted.
    func testFIFOInALintedFolderIsReportedAndOthersLinted() throws {
        let directory = try temporaryDirectory()
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: a\n".write(
            to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try makePipe(directory.appendingPathComponent("b.yaml"))
        let result = try runBounded(["lint", "."], in: directory)
        XCTAssertEqual(result?.status, 2, (result?.stdout ?? "komply blocked") + (result?.stderr ?? ""))
        let output = (result?.stdout ?? "") + (result?.stderr ?? "")
        XCTAssertTrue(output.contains("b.yaml: not a regular file (a named pipe); expected a file"), output)
    }

    /// A pipe at a path komply generates is refused before anything is written (and --check does not
    /// open it); a pipe elsewhere in the output tree is left alone (the stale-file walk used to open it).
    func testFIFOInTheOutputTreeNeverBlocksGenerate() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.copyItem(
            at: CLIHarness.repository.appendingPathComponent("fixtures/generate/web-db/input"), to: directory.appendingPathComponent("app"))
        let base = directory.appendingPathComponent("deploy/webshop/base")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try makePipe(base.appendingPathComponent("zz-pipe"))
        let elsewhere = try runBounded(["generate", "app", "-o", "deploy"], in: directory)
        XCTAssertEqual(elsewhere?.status, 0, elsewhere?.stderr ?? "komply blocked")
        try makePipe(base.appendingPathComponent("proxy.yaml.pipe"))
        try FileManager.default.removeItem(at: base.appendingPathComponent("proxy.yaml"))
        try FileManager.default.moveItem(at: base.appendingPathComponent("proxy.yaml.pipe"), to: base.appendingPathComponent("proxy.yaml"))
        let check = try runBounded(["generate", "app", "-o", "deploy", "--check"], in: directory)
        XCTAssertEqual(check?.status, 1, check?.stderr ?? "komply blocked")
        let refused = try runBounded(["generate", "app", "-o", "deploy"], in: directory)
        XCTAssertEqual(refused?.status, 2, refused?.stderr ?? "komply blocked")
        XCTAssertTrue(
            refused?.stderr.contains(
                "deploy/webshop/base/proxy.yaml: cannot write: it is not a regular file; expected a file komply generated, or nothing")
                ?? false, refused?.stderr ?? "")
    }

    func temporaryDirectory() throws -> URL {
        let url = CLIHarness.repository.appendingPathComponent(".build/test-tmp/fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Host references are looked for in environment values and mounted files with patterns that try a URL
    /// scheme only where a word starts: a long value without one used to take minutes (quadratic backtracking).
    func testLongValuesAndMountedFilesAreScannedForHostsInBoundedTime() throws {
        let directory = try temporaryDirectory()
        let long = String(repeating: "x", count: 200_000)
        try Data(repeating: UInt8(ascii: "y"), count: 400 * 1024).write(to: directory.appendingPathComponent("big.conf"))
        try "services:\n  web:\n    image: nginx:1.27\n    environment:\n      BLOB: \(long)\n    volumes: [\"./big.conf:/etc/big.conf\"]\n"
            .write(to: directory.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        let result = try runBounded(["generate", ".", "--dry-run"], in: directory)
        XCTAssertEqual(result?.status, 0, result?.stderr ?? "komply ran for more than ten seconds")
    }

    func makePipe(_ url: URL) throws {
        guard mkfifo(url.path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Runs komply like `CLIHarness.run`, but kills it and returns nil when it has not exited within ten seconds.
    func runBounded(_ arguments: [String], in directory: URL) throws -> CLIHarness.Result? {
        let process = Process()
        process.executableURL = CLIHarness.komplyBinary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let outURL = directory.appendingPathComponent("../\(UUID().uuidString).out").standardized
        let errURL = directory.appendingPathComponent("../\(UUID().uuidString).err").standardized
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        try out.close()
        try err.close()
        return CLIHarness.Result(
            status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}
