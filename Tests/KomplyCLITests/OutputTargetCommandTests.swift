import Foundation
import KomplyTestSupport
import XCTest

/// Found by running komply as a user would: `report -o` and `history export -o` wrote with Foundation's atomic
/// write, which renamed a regular file over a FIFO the user named (every other output goes through
/// AtomicWriter, which writes a FIFO or device through); `history record` without paths read the current folder
/// instead of komply.yaml's sources, unlike its help and every other command.
final class OutputTargetCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-output-target-\(UUID().uuidString)")
        let app = folder.appendingPathComponent("apps/webshop")
        try FileManager.default.createDirectory(at: app.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLIHarness.repository.appendingPathComponent("fixtures/generate/web-db/input"), to: app)
        try "apiVersion: komply.dev/v1\nkind: Config\nsources: [\"apps/*\"]\n".write(
            to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testReportAndExportWriteThroughAFIFOInsteadOfReplacingIt() throws {
        let recorded = try CLIHarness.run(["history", "record", "--history", "h.sqlite", "--now", "2026-12-01T00:00:00Z"], in: folder)
        XCTAssertEqual(recorded.status, 0, recorded.stderr)
        for (arguments, marker) in [
            (["report", "-o"], "<!DOCTYPE html>"), (["history", "export", "--history", "h.sqlite", "-o"], "\"type\""),
        ] {
            let fifo = folder.appendingPathComponent("pipe-\(arguments[0])").path
            XCTAssertEqual(mkfifo(fifo, 0o600), 0)
            let received = LockedText()
            let reader = Thread {
                // Opening blocks until komply opens the other end; reading ends when it closes it.
                if let handle = FileHandle(forReadingAtPath: fifo) {
                    received.set(String(decoding: handle.readDataToEndOfFile(), as: UTF8.self))
                }
            }
            reader.start()
            let run = try CLIHarness.run(arguments + [fifo], in: folder)
            XCTAssertEqual(run.status, 0, run.stderr)
            let deadline = Date().addingTimeInterval(10)
            while received.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            XCTAssertTrue(received.value?.contains(marker) == true, "\(arguments): \(received.value?.prefix(200) ?? "nothing read")")
            var info = stat()
            XCTAssertEqual(lstat(fifo, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "\(arguments): the FIFO is still a FIFO")
        }
    }

    func testHistoryRecordWithoutPathsReadsKomplyYAMLSources() throws {
        let recorded = try CLIHarness.run(["history", "record", "--history", "h.sqlite", "--now", "2026-12-01T00:00:00Z"], in: folder)
        XCTAssertEqual(recorded.status, 0, recorded.stderr)
        XCTAssertTrue(recorded.stdout.contains("+4 deployment(s)"), recorded.stdout + recorded.stderr)
    }

    /// `--manifests` naming a folder that does not hold the apps' workloads is warned, not passed off as recorded.
    func testManifestsWithoutTheAppsWorkloadsAreWarned() throws {
        let generated = try CLIHarness.run(["generate", "--no-predict"], in: folder)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let matching = try CLIHarness.run(["history", "record", "--manifests", "deploy", "--history", "h.sqlite"], in: folder)
        XCTAssertEqual(matching.status, 0, matching.stderr)
        XCTAssertFalse(matching.stderr.contains("holds no manifest"), matching.stderr)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        let other = try CLIHarness.run(["history", "record", "--manifests", "elsewhere", "--history", "h.sqlite"], in: folder)
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertTrue(
            other.stderr.contains("warning: elsewhere holds no manifest for webshop/api, webshop/cache, webshop/db, webshop/proxy"),
            other.stderr)
    }
}

/// Text one thread sets and another reads.
private final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    var value: String? { lock.withLock { text } }
    func set(_ value: String) { lock.withLock { text = value } }
}
