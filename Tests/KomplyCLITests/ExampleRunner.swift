import Foundation
import XCTest

/// One `komply …` command shown to users (in a doc's ```sh block or in `--help`), run as written with
/// the built binary in a scratch folder holding copies of the repository files it names.
struct Example: CustomStringConvertible {
    /// Where it is shown (`README.md:12`, `komply lint --help`).
    var origin: String
    /// The command line as shown, without its comment.
    var command: String
    /// Arguments after `komply`, shell quoting removed.
    var arguments: [String]
    /// The exit status the text documents (`# exit 1`, `(exit 2: …)`), else 0.
    var expectedStatus: Int32

    var description: String { "\(origin): \(command)" }

    /// Reads one command line; nil when it is not a plain `komply` (or `.build/debug/komply`) command:
    /// pipes, redirections and command substitution are the shell's, not an example komply can run alone.
    init?(line: String, origin: String) {
        var text = line.trimmingCharacters(in: .whitespaces)
        var comment = ""
        if let hash = Self.commentStart(text) {
            comment = String(text[hash...])
            text = String(text[..<hash]).trimmingCharacters(in: .whitespaces)
        }
        // `scripts/setup && .build/debug/komply generate …`: the komply part.
        if let and = text.range(of: " && ", options: .backwards) { text = String(text[and.upperBound...]) }
        guard let words = Self.words(text), let first = words.first, first == "komply" || first == ".build/debug/komply" else {
            return nil
        }
        self.origin = origin
        command = text
        arguments = Array(words.dropFirst())
        let documented = (comment + " " + text).range(of: #"exit (status )?[0-9]"#, options: .regularExpression)
        expectedStatus = documented.flatMap { Int32(String((comment + " " + text)[$0].last!)) } ?? 0
    }

    /// The repository paths the arguments name (files or folders that exist, inside the repository);
    /// a bare word (`rules` in `komply rules test`) is a subcommand or value, not a path.
    var repositoryPaths: [String] {
        var paths: [String] = []
        for argument in arguments {
            for candidate in [argument, argument.split(separator: "=", maxSplits: 1).last.map(String.init) ?? argument] {
                let trimmed = candidate.hasSuffix("/") ? String(candidate.dropLast()) : candidate
                guard trimmed.contains("/") || trimmed.contains("."), !trimmed.hasPrefix("/"), !trimmed.hasPrefix("-"),
                    !trimmed.split(separator: "/").contains("..")
                else { continue }
                if !paths.contains(trimmed),
                    FileManager.default.fileExists(atPath: CLIHarness.repository.appendingPathComponent(trimmed).path)
                {
                    paths.append(trimmed)
                }
            }
        }
        return paths
    }

    /// Runs the example in a fresh folder with copies of the repository paths it names; reports a
    /// failure when the exit status is not the documented one.
    func run(file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try outcome()
        XCTAssertEqual(
            result.status, expectedStatus, "\(self) exited \(result.status):\n\(result.stderr.prefix(2000))", file: file, line: line)
    }

    /// What running the example in a fresh folder with copies of the repository paths it names gives.
    func outcome() throws -> CLIHarness.Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for path in repositoryPaths where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path) {
            let target = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: CLIHarness.repository.appendingPathComponent(path), to: target)
        }
        return try CLIHarness.run(arguments, in: folder)
    }
}

extension Example {
    /// The examples of the ```sh blocks of a Markdown file, and how many komply commands were skipped:
    /// a block right after `<!-- komply:example-skip REASON -->` (needs a network, a cluster or a
    /// webhook sender) is not run. Every other komply line of an sh block must be a runnable example.
    static func fromMarkdown(_ path: String) throws -> (examples: [Example], skipped: [String], unrunnable: [String]) {
        let text = try String(contentsOf: CLIHarness.repository.appendingPathComponent(path), encoding: .utf8)
        var examples: [Example] = []
        var skipped: [String] = []
        var unrunnable: [String] = []
        var inBlock = false
        var runnable = false
        var skip = false
        var pending = ""
        var pendingLine = 0
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if inBlock {
                    inBlock = false
                    skip = false
                } else {
                    inBlock = true
                    runnable = trimmed == "```sh" || trimmed == "```shell" || trimmed == "```bash"
                }
                continue
            }
            if !inBlock {
                if trimmed.hasPrefix("<!-- komply:example-skip") { skip = true } else if !trimmed.isEmpty { skip = false }
                examples += inlineExamples(line, origin: "\(path):\(index + 1)")
                continue
            }
            guard runnable else { continue }
            if pending.isEmpty { pendingLine = index + 1 }
            // A line ending in a backslash continues on the next.
            if trimmed.hasSuffix("\\") {
                pending += String(trimmed.dropLast()) + " "
                continue
            }
            let full = pending + trimmed
            pending = ""
            let origin = "\(path):\(pendingLine)"
            let isKomply = Self.commandPart(full).map { $0.hasPrefix("komply ") || $0.hasPrefix(".build/debug/komply ") } ?? false
            guard isKomply else { continue }
            if skip {
                skipped.append(origin)
            } else if let example = Example(line: full, origin: origin) {
                examples.append(example)
            } else {
                unrunnable.append("\(origin): \(full)")
            }
        }
        return (examples, skipped, unrunnable)
    }

    /// The `komply …` code spans of a prose line that name repository files ("Try `komply lint
    /// fixtures/lint/shop` (exit 2: …)"), with the exit status written right after the span.
    static func inlineExamples(_ line: String, origin: String) -> [Example] {
        guard let regex = try? NSRegularExpression(pattern: #"`(komply [^`]+)`( \(exit ([0-9]))?"#) else { return [] }
        return regex.matches(in: line, range: NSRange(line.startIndex..., in: line)).compactMap { match in
            guard let span = Range(match.range(at: 1), in: line), var example = Example(line: String(line[span]), origin: origin),
                !example.repositoryPaths.isEmpty
            else { return nil }
            example.expectedStatus = Range(match.range(at: 3), in: line).flatMap { Int32(line[$0]) } ?? 0
            return example
        }
    }

    /// The examples of one command's `--help`: the indented `komply …` lines under "Example:"/"Examples:".
    static func fromHelp(_ help: String, command: String) -> [Example] {
        var examples: [Example] = []
        var inExamples = false
        var pending = ""
        for line in help.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("Example"), trimmed.hasSuffix(":") {
                inExamples = true
                continue
            }
            guard inExamples else { continue }
            if trimmed.isEmpty || !line.hasPrefix(" ") {
                inExamples = !trimmed.isEmpty && line.hasPrefix(" ")
                continue
            }
            if trimmed.hasSuffix("\\") {
                pending += String(trimmed.dropLast()) + " "
                continue
            }
            let full = pending + trimmed
            pending = ""
            if let example = Example(line: full, origin: "\(command) --help") { examples.append(example) }
        }
        return examples
    }

    /// The text before a `#` comment that is not inside quotes.
    static func commentStart(_ text: String) -> String.Index? {
        var quote: Character?
        var previous: Character = " "
        for index in text.indices {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#", previous == " " {
                return index
            }
            previous = character
        }
        return nil
    }

    /// The command without leading `VAR=value` assignments and `… && ` prefixes, or nil.
    static func commandPart(_ text: String) -> String? {
        var command = text
        if let and = command.range(of: " && ", options: .backwards) { command = String(command[and.upperBound...]) }
        return command.trimmingCharacters(in: .whitespaces)
    }

    /// Shell words with quotes removed; nil for anything a plain exec cannot do (pipes, redirections,
    /// substitutions, globs, variables, environment assignments).
    static func words(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var started = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                started = true
            case " ", "\t":
                if started { words.append(current) }
                current = ""
                started = false
            case "|", ">", "<", ";", "&", "`", "$", "*", "?", "…":
                return nil
            default:
                current.append(character)
                started = true
            }
        }
        guard quote == nil else { return nil }
        if started { words.append(current) }
        if words.first?.contains("=") == true { return nil }
        return words
    }
}
