import ArgumentParser
import Foundation
import KomplyCore
import KomplyLint

/// `--verbose` and `--quiet`: how much `generate`, `sync` and `images` tell a person on standard error.
struct VerbosityOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Also print notes: what komply decided for each service and why.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Print only errors (no warnings, notes or progress).")
    var quiet = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("--verbose and --quiet cannot be combined") }
    }

    /// Standard error with this verbosity.
    var console: Console { Console(verbose: verbose, quiet: quiet) }
}

/// Standard error for a person: notes only with --verbose, warnings unless --quiet, errors always; the
/// severity coloured as lint's text report colours it when standard error is a terminal and NO_COLOR is unset.
struct Console {
    var verbose = false
    var quiet = false
    var paint = Paint(
        enabled: isatty(STDERR_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            && ProcessInfo.processInfo.environment["TERM"] != "dumb")

    /// Prints `diagnostic` as `komply: file:line:column: warning: message` when the verbosity shows it.
    func report(_ diagnostic: Diagnostic) {
        switch diagnostic.severity {
        case .info where !verbose: return
        case .warning where quiet: return
        default: break
        }
        let label: String
        switch diagnostic.severity {
        case .error: label = paint.bold(paint.red("error:"))
        case .warning: label = paint.bold(paint.yellow("warning:"))
        case .info: label = paint.bold(paint.blue("note:"))
        }
        let location = diagnostic.location.map { paint.bold("\($0):") + " " } ?? ""
        write("komply: \(location)\(label) \(diagnostic.message)")
    }

    /// A line of progress or summary (`komply: wrote 9 of 9 file(s)…`), left out with --quiet.
    func status(_ line: String) {
        if !quiet { write("komply: \(line)") }
    }

    /// An error line, always printed.
    func error(_ line: String) {
        write("komply: \(paint.bold(paint.red("error:"))) \(line)")
    }

    private func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
