import Foundation
import XCTest

/// Issue 19: the examples people copy work. Every `komply` line of a ```sh block in README.md, docs/
/// and action/README.md runs with the built binary and exits as documented (0 unless the line says
/// `exit N`), and so does every `komply …` code span in prose that names repository files; a block marked `<!-- komply:example-skip REASON -->` is skipped and counted. Every
/// command's `--help` has examples, and those naming repository files run too.
final class ExampleTests: XCTestCase {
    /// The Markdown files whose sh blocks are examples.
    static let documents: [String] = {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: CLIHarness.repository.appendingPathComponent("docs").path)) ?? []
        return ["README.md", "action/README.md", "templates/README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }()

    func testDocumentationExamplesRunAsDocumented() throws {
        var examples: [Example] = []
        var skipped: [String] = []
        for document in Self.documents
        where FileManager.default.fileExists(atPath: CLIHarness.repository.appendingPathComponent(document).path) {
            let found = try Example.fromMarkdown(document)
            XCTAssertEqual(found.unrunnable, [], "komply lines an example cannot run as written; rewrite them or mark the block skipped")
            examples += found.examples
            skipped += found.skipped
        }
        XCTAssertGreaterThanOrEqual(examples.count, 20, "the docs show examples: \(examples)")
        for example in examples { try example.run() }
        print("doc examples: \(examples.count) run, \(skipped.count) skipped (\(skipped.joined(separator: ", ")))")
    }

    /// Examples that mention a doc block's exit status get it; a skipped block is counted, not run.
    func testExampleParsing() throws {
        let lint = try XCTUnwrap(Example(line: "komply lint fixtures/lint/shop   # exit 2: one file is malformed", origin: "t"))
        XCTAssertEqual(lint.arguments, ["lint", "fixtures/lint/shop"])
        XCTAssertEqual(lint.expectedStatus, 2)
        XCTAssertEqual(lint.repositoryPaths, ["fixtures/lint/shop"])
        let quoted = try XCTUnwrap(Example(line: #"komply rules show 'run-as-root' --config "a b.yaml""#, origin: "t"))
        XCTAssertEqual(quoted.arguments, ["rules", "show", "run-as-root", "--config", "a b.yaml"])
        XCTAssertEqual(quoted.expectedStatus, 0)
        // An example whose documented status is wrong is caught (the malformed file makes this exit 2).
        var wrong = lint
        wrong.expectedStatus = 0
        XCTAssertNotEqual(try wrong.outcome().status, wrong.expectedStatus)
        XCTAssertEqual(try lint.outcome().status, lint.expectedStatus)
        let inline = Example.inlineExamples(
            "Try `komply lint fixtures/lint/shop` (exit 2: on purpose) or `komply rules list`.", origin: "t")
        XCTAssertEqual(inline.map(\.command), ["komply lint fixtures/lint/shop"], "spans that name no repository file are prose")
        XCTAssertEqual(inline.first?.expectedStatus, 2)
        XCTAssertNil(Example(line: "helm template chart | komply lint -", origin: "t"))
        XCTAssertNil(Example(line: "komply lint deploy/ > out.txt", origin: "t"))
        XCTAssertNil(Example(line: "git clone x", origin: "t"))
        XCTAssertEqual(
            Example(line: "scripts/setup && .build/debug/komply generate fixtures/generate/web-db/input --dry-run", origin: "t")?.arguments,
            ["generate", "fixtures/generate/web-db/input", "--dry-run"])
    }

    // MARK: --help

    func testEveryCommandsHelpHasExamples() throws {
        let commands = try Self.commandPaths()
        XCTAssertGreaterThanOrEqual(commands.count, 20, "\(commands)")
        for command in commands {
            let help = try CLIHarness.run(command + ["--help"])
            XCTAssertEqual(help.status, 0, "\(command): \(help.stderr)")
            // An example longer than the help's 80 columns is broken in two, and a copied half fails.
            let examples = help.stdout.components(separatedBy: "\nExample").dropFirst().first?.components(separatedBy: "\n\n").first ?? ""
            for line in examples.split(separator: "\n").dropFirst() {
                XCTAssertTrue(line.hasPrefix("  "), "komply \(command.joined(separator: " ")) --help: an example wraps at \(line)")
            }
            XCTAssertFalse(
                Example.fromHelp(help.stdout, command: (["komply"] + command).joined(separator: " ")).isEmpty,
                "komply \(command.joined(separator: " ")) --help shows no example:\n\(help.stdout)")
        }
    }

    func testHelpExamplesThatNameRepositoryFilesRun() throws {
        var ran: [String] = []
        for command in try Self.commandPaths() {
            let help = try CLIHarness.run(command + ["--help"])
            for example in Example.fromHelp(help.stdout, command: (["komply"] + command).joined(separator: " "))
            where !example.repositoryPaths.isEmpty {
                try example.run()
                ran.append(example.command)
            }
        }
        XCTAssertGreaterThanOrEqual(ran.count, 5, "\(ran)")
        print("help examples naming repository files: \(ran.count) run")
    }

    func testRootHelpLeadsWithTheMainJob() throws {
        let help = try CLIHarness.run(["--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        let examples = Example.fromHelp(help.stdout, command: "komply")
        XCTAssertEqual(examples.prefix(3).map { $0.arguments.first }, ["generate", "lint", "sync"], help.stdout)
        for example in examples where example.arguments.first != "sync" {
            XCTAssertFalse(example.repositoryPaths.isEmpty, "\(example) names files that exist in the repository")
        }
        // The main jobs are listed first among the subcommands.
        let list = help.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        let names = list.split(separator: "\n").filter { !$0.hasPrefix("    ") }.compactMap {
            $0.split(separator: " ").first.map(String.init)
        }
        XCTAssertEqual(Array(names.prefix(3)), ["generate", "lint", "sync"], list)
    }

    func testDefaultsArePrintedSanely() throws {
        for command in try Self.commandPaths() {
            let help = try CLIHarness.run(command + ["--help"]).stdout
            let flattened = help.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(
                of: #"\s+"#, with: " ", options: .regularExpression)
            XCTAssertNil(
                flattened.range(of: #"[0-9]\.[0-9]{6,}"#, options: .regularExpression),
                "komply \(command) --help prints a long float:\n\(help)")
            XCTAssertNil(
                flattened.range(of: #"\(default: [^)]*\)\.? \(default: "#, options: .regularExpression),
                "komply \(command) --help states a default twice:\n\(help)")
            // ArgumentParser appends "(values: a, b, c)" to a typed option: its help need not list them too.
            for options in flattened.components(separatedBy: " --").dropFirst() {
                guard let range = options.range(of: #"\(values: [^;)]*"#, options: .regularExpression) else { continue }
                let values = options[range].dropFirst("(values: ".count).components(separatedBy: ", ")
                let text = options[..<range.lowerBound]
                XCTAssertFalse(
                    values.count > 1 && values.allSatisfy { text.contains($0) },
                    "komply \(command) --help lists the values twice: --\(options)")
            }
        }
    }

    // MARK: habits

    func testMistypedSubcommandsSuggestTheNearestOne() throws {
        let cases: [([String], String)] = [
            (["genrate"], "'genrate' is not a komply command; did you mean 'generate'?"),
            (["lnit", "deploy/"], "did you mean 'lint'?"),
            (["sycn"], "did you mean 'sync'?"),
            (["rules", "shwo", "run-as-root"], "'shwo' is not a komply rules command; did you mean 'show'?"),
            (["history", "exprot"], "did you mean 'export'?"),
            (["frobnicate"], "'frobnicate' is not a komply command (`komply --help` lists them)"),
        ]
        for (arguments, expected) in cases {
            let result = try CLIHarness.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
        let typo = try CLIHarness.run(["rules", "show", "run-as-rot"])
        XCTAssertEqual(typo.status, 2, typo.stderr)
        XCTAssertTrue(typo.stderr.contains(#"unknown rule "run-as-rot"; did you mean "run-as-root"? (`komply rules list`"#), typo.stderr)
        let only = try CLIHarness.run(["lint", "fixtures/lint/clean", "--rule", "latest-image-tags"])
        XCTAssertEqual(only.status, 2, only.stderr)
        XCTAssertTrue(only.stderr.contains(#"did you mean "latest-image-tag"?"#), only.stderr)
    }

    func testUnknownRuleIDsInConfigAndIgnoreAnnotationsSuggestTheNearestOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-typo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "apiVersion: komply.dev/v1\nkind: Config\npolicy:\n  rules:\n    run-as-rot: error\n".write(
            to: folder.appendingPathComponent("komply.yaml"), atomically: true, encoding: .utf8)
        let config = try CLIHarness.run(["rules", "list"], in: folder)
        XCTAssertEqual(config.status, 2, config.stderr)
        XCTAssertTrue(config.stderr.contains(#"komply.yaml:5:5: unknown rule "run-as-rot"; did you mean "run-as-root"?"#), config.stderr)

        try FileManager.default.removeItem(at: folder.appendingPathComponent("komply.yaml"))
        try """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: shop
          annotations:
            komply.dev/ignore: "run-as-rot=the image needs it until 2099-01-31"
        spec:
          containers:
            - name: web
              image: nginx:1.27.3
        """.write(to: folder.appendingPathComponent("pod.yaml"), atomically: true, encoding: .utf8)
        let lint = try CLIHarness.run(["lint", "pod.yaml", "--format", "text"], in: folder)
        XCTAssertEqual(lint.status, 1, lint.stderr)
        XCTAssertTrue(lint.stdout.contains("unknown rule run-as-rot; did you mean run-as-root?"), lint.stdout)
    }

    func testVersionNamesTheCommit() throws {
        let version = try CLIHarness.run(["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        let line = version.stdout.trimmingCharacters(in: .newlines)
        XCTAssertNotNil(
            line.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+ \((commit [0-9a-f]{12}|unknown commit)\)$"#, options: .regularExpression), line)
        if FileManager.default.fileExists(atPath: CLIHarness.repository.appendingPathComponent(".git").path) {
            XCTAssertTrue(line.contains("(commit "), "built from a git checkout: \(line)")
        }
        // From a source tarball (no .git) the stamp says so instead of failing the build.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("komply-stamp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("src"), withIntermediateDirectories: true)
        let stamp = try CLIHarness.run(
            executable: URL(fileURLWithPath: "/bin/sh"),
            [
                CLIHarness.repository.appendingPathComponent("scripts/commit-stamp").path, scratch.appendingPathComponent("src").path,
                scratch.appendingPathComponent("out").path,
            ], in: scratch)
        XCTAssertEqual(stamp.status, 0, stamp.stderr)
        let generated = try String(contentsOf: scratch.appendingPathComponent("out/BuildCommit.swift"), encoding: .utf8)
        XCTAssertTrue(generated.contains("let buildCommit: String? = nil"), generated)
    }

    func testCompletionOffersEnumValues() throws {
        let script = try CLIHarness.run(["--generate-completion-script", "bash"])
        XCTAssertEqual(script.status, 0, script.stderr)
        let words = script.stdout.replacingOccurrences(of: "'$'\\n''", with: " ")
        for values in [
            "text json sarif junit github markdown",  // lint --format
            "cost balanced performance",  // predict --tier
            "github gitea gitlab",  // sync --pr
            "info warning error",  // lint --fail-on
            "auto always never",  // lint --color
            "none 1.5 2 4",  // predict --cpu-limit
        ] {
            XCTAssertTrue(words.contains("-W '\(values)'"), "completion lacks \(values)")
        }
    }
}

extension ExampleTests {
    /// Every command path below the root (`["generate"]`, `["rules", "show"]`…), read from the
    /// SUBCOMMANDS sections of `--help`, the root included as `[]`.
    static func commandPaths() throws -> [[String]] {
        var found: [[String]] = []
        var queue: [[String]] = [[]]
        while let path = queue.first {
            queue.removeFirst()
            found.append(path)
            let help = try CLIHarness.run(path + ["--help"]).stdout
            guard let section = help.components(separatedBy: "SUBCOMMANDS:").dropFirst().first else { continue }
            for line in section.split(separator: "\n") {
                guard !line.hasPrefix("    "), let name = line.split(separator: " ").first,
                    name.range(of: "^[a-z][a-z-]*$", options: .regularExpression) != nil, name != "help"
                else { continue }
                queue.append(path + [String(name)])
            }
        }
        return found
    }
}
