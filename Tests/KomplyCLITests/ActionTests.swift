import Foundation
import KomplyCore
import XCTest

/// The GitHub Action (`action/action.yml`) and its example workflows, read with komply's own YAML
/// loader: structure GitHub requires, references that resolve, and docs that match.
final class ActionTests: XCTestCase {
    static let folder = CLIHarness.repository.appendingPathComponent("action")

    func testMetadataHasWhatGitHubRequires() throws {
        let action = try Self.action()
        XCTAssertFalse((action["name"]?.scalar ?? "").isEmpty, "name")
        XCTAssertFalse((action["description"]?.scalar ?? "").isEmpty, "description")
        let inputs = try XCTUnwrap(action["inputs"]?.mapping, "inputs")
        XCTAssertFalse(inputs.isEmpty)
        for input in inputs {
            let name = input.key.scalar ?? "?"
            XCTAssertNotNil(name.range(of: #"^[a-z][a-z0-9-]*$"#, options: .regularExpression), "input \(name) is kebab-case")
            XCTAssertFalse((input.value["description"]?.scalar ?? "").isEmpty, "input \(name) has a description")
        }
        for expected in ["paths", "config", "fail-on", "sarif-file", "check-drift", "comment", "komply-ref", "working-directory"] {
            XCTAssertTrue(inputs.contains { $0.key.scalar == expected }, "input \(expected)")
        }
        let outputs = try XCTUnwrap(action["outputs"]?.mapping, "outputs")
        for output in outputs {
            let name = output.key.scalar ?? "?"
            XCTAssertFalse((output.value["description"]?.scalar ?? "").isEmpty, "output \(name) has a description")
            XCTAssertFalse((output.value["value"]?.scalar ?? "").isEmpty, "a composite action's output \(name) needs a value")
        }
        for expected in ["findings", "sarif-file", "drift"] {
            XCTAssertTrue(outputs.contains { $0.key.scalar == expected }, "output \(expected)")
        }
        XCTAssertEqual(action["runs"]?["using"]?.scalar, "composite")
        let steps = try XCTUnwrap(action["runs"]?["steps"]?.sequence, "runs.steps")
        XCTAssertFalse(steps.isEmpty)
        var ids = Set<String>()
        for (index, step) in steps.enumerated() {
            let label = step["name"]?.scalar ?? "step \(index + 1)"
            XCTAssertNotNil(step["name"]?.scalar, "\(label) has a name")
            XCTAssertTrue((step["run"] == nil) != (step["uses"] == nil), "\(label) has exactly one of run and uses")
            if let run = step["run"]?.scalar {
                XCTAssertNotNil(step["shell"]?.scalar, "\(label): a composite run step needs shell")
                // Inputs and contexts reach scripts through env, never by ${{ }} substitution (script injection).
                XCTAssertFalse(run.contains("${{"), "\(label) substitutes an expression into its script")
            }
            if let id = step["id"]?.scalar { XCTAssertTrue(ids.insert(id).inserted, "step id \(id) is unique") }
        }
    }

    /// Every `inputs.X` exists; every `steps.ID` is a step defined earlier (or any step, for outputs).
    func testReferencesResolve() throws {
        let action = try Self.action()
        let text = try String(contentsOf: Self.folder.appendingPathComponent("action.yml"), encoding: .utf8)
        let inputs = Set((action["inputs"]?.mapping ?? []).compactMap(\.key.scalar))
        let used = Self.matches(#"inputs\.([A-Za-z0-9_-]+)"#, in: text)
        XCTAssertFalse(used.isEmpty)
        for name in used { XCTAssertTrue(inputs.contains(name), "inputs.\(name) is not declared") }
        for name in inputs {
            XCTAssertTrue(used.contains(name), "input \(name) is declared but never used")
        }

        let steps = action["runs"]?["steps"]?.sequence ?? []
        let ids = steps.compactMap { $0["id"]?.scalar }
        for output in action["outputs"]?.mapping ?? [] {
            let value = output.value["value"]?.scalar ?? ""
            let referenced = Self.matches(#"steps\.([A-Za-z0-9_-]+)\.outputs\."#, in: value)
            XCTAssertEqual(referenced.count, 1, "output \(output.key.scalar ?? "?") takes its value from one step: \(value)")
            for id in referenced { XCTAssertTrue(ids.contains(id), "output \(output.key.scalar ?? "?") references unknown step \(id)") }
        }
        var earlier = Set<String>()
        for step in steps {
            let label = step["name"]?.scalar ?? "?"
            for id in Self.matches(#"steps\.([A-Za-z0-9_-]+)\."#, in: Self.text(of: step)) {
                XCTAssertTrue(earlier.contains(id), "\(label) references step \(id), which does not run before it")
            }
            if let id = step["id"]?.scalar { earlier.insert(id) }
        }
    }

    /// The steps the issue asks for: cached release build from the action's folder, lint with SARIF
    /// and annotations, the SARIF upload, the drift check, and one comment found by its marker.
    func testStepsBuildLintUploadCheckAndComment() throws {
        let action = try Self.action()
        let steps = action["runs"]?["steps"]?.sequence ?? []
        let uses = steps.compactMap { $0["uses"]?.scalar }
        XCTAssertTrue(uses.contains { $0.hasPrefix("actions/cache@") }, "\(uses)")
        XCTAssertTrue(uses.contains { $0.hasPrefix("github/codeql-action/upload-sarif@") }, "\(uses)")
        let scripts = steps.compactMap { $0["run"]?.scalar }.joined(separator: "\n")
        XCTAssertTrue(scripts.contains("$GITHUB_ACTION_PATH/.."), "builds from the action's own checkout")
        XCTAssertTrue(scripts.contains("swift build -c release"))
        XCTAssertTrue(scripts.contains("lint") && scripts.contains("--format github") && scripts.contains("--format \"sarif="))
        XCTAssertTrue(scripts.contains("--format \"markdown="), "the comment uses komply lint --format markdown")
        XCTAssertTrue(scripts.contains("predict \"${paths[@]}\" --format markdown"), "the comment uses komply predict --format markdown")
        XCTAssertTrue(scripts.contains("generate --check"))
        XCTAssertTrue(scripts.contains("<!-- komply:pr-comment -->"), "the comment carries a hidden marker")
        XCTAssertTrue(scripts.contains("-X PATCH") && scripts.contains("-X POST"), "an existing comment is edited, else one is created")
        let cache = try XCTUnwrap(steps.first { $0["uses"]?.scalar?.hasPrefix("actions/cache@") == true })
        XCTAssertTrue(cache["with"]?["key"]?.scalar?.contains("steps.setup.outputs.key") == true)
        let setup = try XCTUnwrap(steps.first { $0["id"]?.scalar == "setup" })
        let key = setup["run"]?.scalar ?? ""
        XCTAssertTrue(key.contains("Package.swift") && key.contains("ACTION_REF"), "the cache key covers the ref and Package.swift")
    }

    /// The run scripts pass shellcheck when it is installed (`apt-get install shellcheck`).
    func testScriptsPassShellcheck() throws {
        let shellcheck = "/usr/bin/shellcheck"
        guard FileManager.default.isExecutableFile(atPath: shellcheck) else { throw XCTSkip("shellcheck is not installed") }
        let steps = try Self.action()["runs"]?["steps"]?.sequence ?? []
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-action-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, step) in steps.enumerated() {
            guard let run = step["run"]?.scalar else { continue }
            let file = folder.appendingPathComponent("step\(index).sh")
            try ("#!/bin/bash\n" + run).write(to: file, atomically: true, encoding: .utf8)
            // SC2129: grouped redirects are a style preference.
            let result = try CLIHarness.run(executable: URL(fileURLWithPath: shellcheck), ["-e", "SC2129", file.path], in: folder)
            XCTAssertEqual(result.status, 0, "\(step["name"]?.scalar ?? "?"): \(result.stdout)")
        }
    }

    /// Every third-party action is pinned by a full commit SHA with the version in a comment, in the
    /// action and in its examples (the placeholder `acme/komply` aside: it has no commit to pin).
    func testThirdPartyActionsArePinnedByCommit() throws {
        let files = ["action.yml", "examples/pull-request.yml", "examples/regenerate.yml"]
        var checked = 0
        for file in files {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                guard let match = line.range(of: #"^\s*(- )?uses: [^\s]+"#, options: .regularExpression) else { continue }
                let reference = line[match].components(separatedBy: "uses: ").last ?? ""
                if reference.hasPrefix("acme/komply/") || reference.hasPrefix("./") { continue }
                checked += 1
                XCTAssertNotNil(
                    line.range(of: #"uses: [^@\s]+@[0-9a-f]{40} # v[0-9]+(\.[0-9]+)*$"#, options: .regularExpression),
                    "\(file): \(line.trimmingCharacters(in: .whitespaces)) is not pinned to a commit SHA with a version comment")
            }
        }
        XCTAssertEqual(checked, 4, "actions/cache, upload-sarif and two checkouts")
    }

    /// zizmor (offline audits, every persona's findings) finds nothing in the action and its examples, and
    /// both validate against GitHub's action and workflow schemas (check-jsonschema's vendored copies).
    func testZizmorAndGitHubSchemasAcceptTheActionAndExamples() throws {
        let examples = ["action/examples/pull-request.yml", "action/examples/regenerate.yml"]
        let zizmor = try CLIHarness.venvTool("zizmor")
        let audit = try CLIHarness.run(
            executable: zizmor,
            ["--offline", "--persona", "auditor", "--no-progress", "--config", "action/zizmor.yml", "action/action.yml"] + examples,
            in: CLIHarness.repository)
        XCTAssertEqual(audit.status, 0, audit.stdout + audit.stderr)
        XCTAssertTrue(audit.stdout.contains("No findings to report"), audit.stdout + audit.stderr)
        let schemas = try CLIHarness.venvTool("check-jsonschema")
        for (schema, files) in [("vendor.github-actions", ["action/action.yml"]), ("vendor.github-workflows", examples)] {
            let check = try CLIHarness.run(executable: schemas, ["--builtin-schema", schema] + files, in: CLIHarness.repository)
            XCTAssertEqual(check.status, 0, "\(schema): \(check.stdout)\(check.stderr)")
        }
    }

    /// The example workflows parse, are complete workflows, use only the action's inputs and outputs,
    /// and appear verbatim in action/README.md, whose tables list every input and output.
    func testExamplesAndReadmeMatchTheAction() throws {
        let action = try Self.action()
        let inputs = Set((action["inputs"]?.mapping ?? []).compactMap(\.key.scalar))
        let outputs = Set((action["outputs"]?.mapping ?? []).compactMap(\.key.scalar))
        let readme = try String(contentsOf: Self.folder.appendingPathComponent("README.md"), encoding: .utf8)
        for name in inputs.union(outputs) { XCTAssertTrue(readme.contains("| `\(name)` |"), "README table row for \(name)") }

        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.folder.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".yml") }.sorted()
        XCTAssertEqual(examples, ["pull-request.yml", "regenerate.yml"])
        for example in examples {
            let path = Self.folder.appendingPathComponent("examples/" + example).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(readme.contains(text), "README embeds examples/\(example) verbatim")
            let workflow = try XCTUnwrap(try YAMLLoader.load(path: path).first, example)
            XCTAssertNotNil(workflow["name"]?.scalar, example)
            XCTAssertNotNil(workflow["on"], "\(example) has triggers")
            let jobs = try XCTUnwrap(workflow["jobs"]?.mapping, example)
            var usesAction = false
            for job in jobs {
                XCTAssertNotNil(job.value["runs-on"], "\(example): job \(job.key.scalar ?? "?") has runs-on")
                let steps = try XCTUnwrap(job.value["steps"]?.sequence, example)
                XCTAssertFalse(steps.isEmpty)
                for step in steps where step["uses"]?.scalar?.contains("komply/action@") == true {
                    usesAction = true
                    for key in (step["with"]?.mapping ?? []).compactMap(\.key.scalar) {
                        XCTAssertTrue(inputs.contains(key), "\(example) passes unknown input \(key)")
                    }
                }
            }
            XCTAssertTrue(usesAction, "\(example) uses the action")
            for name in Self.matches(#"steps\.komply\.outputs\.([A-Za-z0-9_-]+)"#, in: text) {
                XCTAssertTrue(outputs.contains(name), "\(example) reads unknown output \(name)")
            }
        }
        let regenerate = try String(contentsOf: Self.folder.appendingPathComponent("examples/regenerate.yml"), encoding: .utf8)
        XCTAssertTrue(regenerate.contains("sync --push --pr github"))
        XCTAssertTrue(regenerate.contains("branches: [main]"))
    }
}

private extension ActionTests {
    static func action() throws -> Node {
        try XCTUnwrap(try YAMLLoader.load(path: folder.appendingPathComponent("action.yml").path).first)
    }

    /// The first capture group of every match of `pattern` in `text`.
    static func matches(_ pattern: String, in text: String) -> Set<String> {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return Set(
            regex.matches(in: text, range: range).compactMap { match in Range(match.range(at: 1), in: text).map { String(text[$0]) } })
    }

    /// Every scalar of a node (keys and values), for reference scans.
    static func text(of node: Node) -> String {
        switch node.content {
        case .scalar(let value, _): return value
        case .sequence(let items): return items.map(text(of:)).joined(separator: "\n")
        case .mapping(let pairs): return pairs.map { text(of: $0.key) + "\n" + text(of: $0.value) }.joined(separator: "\n")
        }
    }
}
