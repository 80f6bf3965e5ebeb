import Foundation

/// Runs a program to its end without blocking a thread, collecting standard output and error together.
enum Subprocess {
    /// The exit status (or 128 + signal) and the combined output. The program is stopped on cancellation
    /// or after `timeout` (then `ServeError.timedOut` is thrown): SIGTERM, then SIGKILL when it is still
    /// running `grace` later.
    static func run(
        _ executable: URL, _ arguments: [String], in directory: String, timeout: Duration, environment: [String: String],
        grace: Duration = .seconds(5)
    ) async throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("komply-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let box = ProcessBox(process, grace: grace)
        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { finished in
                    let signaled = finished.terminationReason == .uncaughtSignal
                    continuation.resume(returning: signaled ? 128 + finished.terminationStatus : finished.terminationStatus)
                }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: ServeError.cannotRun(executable: executable.path, reason: error.localizedDescription))
                    return
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + milliseconds(timeout)) { box.terminate(timedOut: true) }
            }
        } onCancel: {
            box.terminate()
        }
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        if box.timedOut {
            throw ServeError.timedOut(command: "\(executable.lastPathComponent) \(arguments.first ?? "")", limit: timeout)
        }
        return (status, text)
    }
}

private extension Subprocess {
    /// `duration` in whole milliseconds, for dispatch deadlines.
    static func milliseconds(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        return .milliseconds(Int(seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    /// Lets the cancellation handler and the timer reach the process.
    final class ProcessBox: @unchecked Sendable {
        private let process: Process
        private let grace: Duration
        private let lock = NSLock()
        private var stoppedForTime = false

        init(_ process: Process, grace: Duration) {
            self.process = process
            self.grace = grace
        }

        /// Whether the timer stopped the process.
        var timedOut: Bool { lock.withLock { stoppedForTime } }

        /// Sends SIGTERM, and SIGKILL after `grace`: a child spawned from a dispatch thread inherits
        /// its blocked SIGTERM (and komply serve's signal handling ignores it), so SIGTERM alone may
        /// never arrive.
        func terminate(timedOut: Bool = false) {
            lock.withLock {
                guard process.isRunning else { return }
                stoppedForTime = stoppedForTime || timedOut
                process.terminate()
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + Subprocess.milliseconds(grace)) { self.kill() }
        }

        private func kill() {
            lock.withLock {
                guard process.isRunning else { return }
                _ = Foundation.kill(process.processIdentifier, SIGKILL)
            }
        }
    }
}
