import Foundation
import XCTest

@testable import KomplyServe

/// The subprocess runner behind each regeneration, with /bin/sh as the program.
final class SubprocessTests: XCTestCase {
    let shell = URL(fileURLWithPath: "/bin/sh")

    func testExitStatusAndCombinedOutputInTheGivenFolder() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-subprocess-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (status, output) = try await Subprocess.run(
            shell, ["-c", "echo out; echo err >&2; pwd; exit 3"], in: folder, timeout: .seconds(30), environment: [:])
        XCTAssertEqual(status, 3)
        XCTAssertEqual(output, "out\nerr\n\(URL(fileURLWithPath: folder).resolvingSymlinksInPath().path)\n")
    }

    func testASignalIsReportedAs128PlusItsNumber() async throws {
        let (killed, _) = try await Subprocess.run(shell, ["-c", "kill -KILL $$"], in: "/", timeout: .seconds(30), environment: [:])
        XCTAssertEqual(killed, 128 + SIGKILL)
        let (faulted, _) = try await Subprocess.run(
            shell, ["-c", "ulimit -c 0; kill -SEGV $$"], in: "/", timeout: .seconds(30), environment: [:])
        XCTAssertEqual(faulted, 128 + SIGSEGV)
    }

    func testOnlyTheGivenEnvironmentIsPassed() async throws {
        setenv("KOMPLY_SUBPROCESS_TEST_PARENT", "leaked", 1)
        defer { unsetenv("KOMPLY_SUBPROCESS_TEST_PARENT") }
        let (status, output) = try await Subprocess.run(
            shell, ["-c", "echo \"[$GIVEN][$KOMPLY_SUBPROCESS_TEST_PARENT]\""], in: "/", timeout: .seconds(30),
            environment: ["GIVEN": "value with spaces"])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(output, "[value with spaces][]\n")
    }

    /// The program ignores SIGTERM, as komply sync does when spawned from komply serve.
    func testATimeoutStopsTheProgramAndSaysSo() async throws {
        let started = ContinuousClock.now
        do {
            _ = try await Subprocess.run(
                shell, ["-c", "trap '' TERM; exec sleep 30"], in: "/", timeout: .milliseconds(300), environment: [:], grace: .seconds(1))
            XCTFail("the run should have timed out")
        } catch {
            XCTAssertEqual(error as? ServeError, .timedOut(command: "sh -c", limit: .milliseconds(300)))
            XCTAssertEqual(error.localizedDescription, "sh -c took longer than 0.3 seconds and was stopped")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "stopped, not waited for")
    }

    func testCancellationStopsTheProgram() async throws {
        let started = ContinuousClock.now
        let shell = self.shell
        let task = Task {
            try await Subprocess.run(
                shell, ["-c", "trap '' TERM; exec sleep 30"], in: "/", timeout: .seconds(60), environment: [:], grace: .seconds(1))
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let (status, _) = try await task.value
        XCTAssertEqual(status, 128 + SIGKILL, "a program that ignores SIGTERM is killed after the grace period")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
    }

    func testAProgramThatCannotStartIsNamed() async throws {
        let missing = URL(fileURLWithPath: "/nonexistent/komply")
        do {
            _ = try await Subprocess.run(missing, ["sync"], in: "/", timeout: .seconds(5), environment: [:])
            XCTFail("the program does not exist")
        } catch let error as ServeError {
            guard case .cannotRun(let executable, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(executable, "/nonexistent/komply")
        }
    }
}
