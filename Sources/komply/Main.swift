import ArgumentParser
import Foundation
import KomplyCore
import KomplySources

/// Entry point: runs the command and maps every failure to komply's exit codes (0, 1, 2).
@main
enum Main {
    static func main() async {
        if let message = Komply.unknownSubcommand(in: Array(CommandLine.arguments.dropFirst())) { fail(message) }
        do {
            var command = try Komply.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            fail(error.message)
        } catch {
            let code = Komply.exitCode(for: error)
            // ExitCode (findings, drift) and clean exits (--help, --version) keep their status.
            if error is ExitCode || code == .success {
                Komply.exit(withError: error)
            }
            if code.rawValue == 64 {
                // Usage errors (ArgumentParser's 64) are komply's exit status 2.
                FileHandle.standardError.write(Data((Komply.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            // Every library error (SourcesError, CoreError, GenerateError, LintError…) is bad input.
            fail(error.localizedDescription)
        }
    }

    static func fail(_ message: String) -> Never {
        Console().error(message)
        exit(2)
    }
}

extension Komply {
    /// Prints what the readers noticed (warnings and notes, with positions) to standard error.
    static func report(_ diagnostics: [Diagnostic]) {
        // Notes included: `komply sources` is how a person sees what komply understood.
        diagnostics.forEach(Console(verbose: true).report)
    }
}

/// A bad-input error raised by the CLI layer itself.
struct CLIError: Error, LocalizedError {
    /// What went wrong and what was expected.
    var message: String

    /// The message, so that whoever prints the error (`localizedDescription`) shows it rather than
    /// "The operation could not be completed. (komply.CLIError error 1.)".
    var errorDescription: String? { message }
}
