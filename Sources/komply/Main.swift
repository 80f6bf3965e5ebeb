import ArgumentParser
import Foundation
import KomplyCore
import KomplySources

/// Entry point: runs the command and maps every failure to komply's exit codes (0, 1, 2).
@main
enum Main {
    static func main() async {
        do {
            var command = try Komply.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as SourcesError {
            fail(error.localizedDescription)
        } catch let error as CoreError {
            fail(error.localizedDescription)
        } catch let error as CLIError {
            fail(error.message)
        } catch {
            let code = Komply.exitCode(for: error)
            if code == .success || code.rawValue == 1 {
                Komply.exit(withError: error)
            }
            // Usage errors (ArgumentParser's 64) are komply's exit status 2.
            FileHandle.standardError.write(Data((Komply.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("komply: error: \(message)\n".utf8))
        exit(2)
    }
}

/// A bad-input error raised by the CLI layer itself.
struct CLIError: Error {
    /// What went wrong and what was expected.
    var message: String
}
