import Foundation
import XCTest

/// A seeded, time-bounded fuzz campaign per input kind (issue 16): every run of the `komply` binary on a
/// mutated input must exit 0, 1 or 2 within the time limit, name the input file when it refuses it, and
/// `lint --fix` must leave a file that parses and that a second `--fix` does not change.
///
/// `KOMPLY_FUZZ_SECONDS` (default 80, over all campaigns), `KOMPLY_FUZZ_SEED` (default 20261207) and
/// `KOMPLY_FUZZ_BINARY` (default: the komply built beside the tests) control it; `scripts/fuzz --minutes N` runs the same campaigns longer and prints the counts. Failing inputs are
/// kept under `$TMPDIR/komply-fuzz-failures/` to reproduce.
final class FuzzTests: XCTestCase {
    static let environment = ProcessInfo.processInfo.environment
    static let seconds = Double(environment["KOMPLY_FUZZ_SECONDS"] ?? "") ?? 80
    static let seed = UInt64(environment["KOMPLY_FUZZ_SEED"] ?? "") ?? 20_261_207
    static let campaigns = 5.0
    /// The binary under test: `KOMPLY_FUZZ_BINARY` (a release build, an older build), else the one SwiftPM built.
    static let binary = environment["KOMPLY_FUZZ_BINARY"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) } ?? CLIHarness.komplyBinary
    static let failures = FileManager.default.temporaryDirectory.appendingPathComponent("komply-fuzz-failures")

    var workspace: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout"), "coreutils timeout is missing")
        workspace = FileManager.default.temporaryDirectory.appendingPathComponent("komply-fuzz-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let workspace { try? FileManager.default.removeItem(at: workspace) }
    }

    func testLintNeverCrashesHangsOrLosesTheFileName() throws {
        try campaign("lint", seeds: try files(under: "fixtures/rules", "fixtures/lint", suffixes: [".yaml", ".yml", ".json"])) {
            fuzzer, input, label, tally in
            let folder = fuzzer.folder("lint")
            try input.write(to: folder.appendingPathComponent("m.yaml"))
            let result = fuzzer.run(["lint", "m.yaml", "--format", "json", "--fail-on", "info"], in: folder, label: label, tally: &tally)
            if result.status == 2, !result.stderr.contains("m.yaml") {
                tally.unnamed.append("\(label): lint exit 2 without the file: \(result.stderr.prefix(200))")
            }
            if result.status == 0 || result.status == 1, (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) == nil {
                tally.crashes.append("\(label): lint exit \(result.status) printed no JSON report")
            }
        }
    }

    func testLintFixNeverCorruptsAFile() throws {
        let violating = try files(under: "fixtures/rules", "fixtures/fix", suffixes: [".yaml"]).filter {
            $0.lastPathComponent.hasPrefix("violating.") || $0.path.contains("fixtures/fix/")
        }
        try campaign("fix", seeds: violating) { fuzzer, input, label, tally in
            let folder = fuzzer.folder("fix")
            let file = folder.appendingPathComponent("f.yaml")
            try input.write(to: file)
            let first = fuzzer.run(["lint", "f.yaml", "--fix"], in: folder, label: label, tally: &tally)
            let fixed = try Data(contentsOf: file)
            guard fixed != input else { return }
            if first.status == 2 {
                tally.corrupted.append("\(label): --fix changed a file it refused (exit 2)")
                return
            }
            let reparsed = fuzzer.run(["lint", "f.yaml"], in: folder, label: label, tally: &tally)
            if reparsed.status == 2 {
                tally.corrupted.append("\(label): the fixed file no longer parses: \(reparsed.stderr.prefix(200))")
            }
            _ = fuzzer.run(["lint", "f.yaml", "--fix"], in: folder, label: label, tally: &tally)
            if try Data(contentsOf: file) != fixed {
                tally.corrupted.append("\(label): a second --fix changed the file again")
            }
        }
    }

    func testComposeSourcesAndGenerateNeverCrashOrHang() throws {
        // Valid apps only: the refused fixtures would mostly be refused again for their own reason.
        var seeds = try files(under: "fixtures/compose", suffixes: [".yaml", ".yml"]).filter { !$0.path.contains("/bad/") }
        let corpus = CLIHarness.repository.deletingLastPathComponent().appendingPathComponent("shared/corpus/awesome-compose")
        for app in (try? FileManager.default.contentsOfDirectory(at: corpus, includingPropertiesForKeys: nil)) ?? [] {
            for name in ["compose.yaml", "docker-compose.yml", "docker-compose.yaml"]
            where FileManager.default.fileExists(
                atPath: app.appendingPathComponent(name).path)
            {
                seeds.append(app.appendingPathComponent(name))
            }
        }
        try campaign("compose", seeds: seeds) { fuzzer, input, label, tally in
            let folder = fuzzer.folder("compose")
            try input.write(to: folder.appendingPathComponent("compose.yaml"))
            let arguments = Bool.random(using: &fuzzer.random) ? ["sources", "."] : ["generate", ".", "--dry-run"]
            let result = fuzzer.run(arguments, in: folder, label: label, tally: &tally)
            if result.status == 2, !result.stderr.contains("compose.yaml") {
                tally.unnamed.append("\(label): \(arguments[0]) exit 2 without the file: \(result.stderr.prefix(200))")
            }
        }
    }

    func testInspectAndStatsNeverCrashOrHang() throws {
        let seeds = try files(under: "fixtures/inspect", suffixes: [".inspect.json", ".stats.jsonl"]).filter { !$0.path.contains("/bad/") }
        try campaign("inspect", seeds: seeds) {
            fuzzer, input, label, tally in
            let folder = fuzzer.folder("inspect")
            if label.contains(".stats.jsonl") {
                try input.write(to: folder.appendingPathComponent("s.stats.jsonl"))
                let result = fuzzer.run(
                    [
                        "history", "import", "s.stats.jsonl", "--format", "docker-stats", "--history", "h.sqlite", "--at",
                        "2026-11-22T00:00:00Z", "--now", "2026-12-01T00:00:00Z",
                    ], in: folder, label: label, tally: &tally)
                if result.status == 2, !result.stderr.contains("s.stats.jsonl") {
                    tally.unnamed.append("\(label): stats import exit 2 without the file: \(result.stderr.prefix(200))")
                }
            } else {
                try input.write(to: folder.appendingPathComponent("x.inspect.json"))
                let arguments =
                    Bool.random(using: &fuzzer.random) ? ["sources", "x.inspect.json"] : ["generate", "x.inspect.json", "--dry-run"]
                let result = fuzzer.run(arguments, in: folder, label: label, tally: &tally)
                if result.status == 2, !result.stderr.contains("x.inspect.json") {
                    tally.unnamed.append("\(label): \(arguments[0]) exit 2 without the file: \(result.stderr.prefix(200))")
                }
            }
        }
    }

    func testHistoryImportNeverPoisonsTheStore() throws {
        let measured = CLIHarness.repository.appendingPathComponent("fixtures/history/measured")
        // The first 120 rows of the measured samples: enough shape, fast to import.
        let samples =
            try String(contentsOf: measured.appendingPathComponent("samples.csv"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).prefix(120).joined(separator: "\n") + "\n"
        let short = workspace.appendingPathComponent("samples.csv")
        try samples.write(to: short, atomically: true, encoding: .utf8)
        let seeds = [
            short, measured.appendingPathComponent("deployments.jsonl"), measured.appendingPathComponent("events.jsonl"),
        ]
        let compose = "services:\n  cache: {image: \"redis:7.0\"}\n  db: {image: \"postgres:15\"}\n  web: {image: \"nginx:1.27\"}\n"
        try campaign("history", seeds: seeds) { fuzzer, input, label, tally in
            let folder = fuzzer.folder("history")
            let name = label.contains(".csv") ? "in.csv" : "in.jsonl"
            try input.write(to: folder.appendingPathComponent(name))
            try compose.write(to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
            let imported = fuzzer.run(
                ["history", "import", name, "--history", "h.sqlite", "--now", "2026-12-01T00:00:00Z"], in: folder, label: label,
                tally: &tally)
            if imported.status == 2, !imported.stderr.contains(name) {
                tally.unnamed.append("\(label): import exit 2 without the file: \(imported.stderr.prefix(200))")
            }
            guard imported.status == 0 else { return }
            // Whatever was stored must be usable: predicting and exporting from it never traps.
            _ = fuzzer.run(
                ["predict", "compose.yaml", "--history", "h.sqlite", "--format", "json"], in: folder, label: label, tally: &tally)
            _ = fuzzer.run(["history", "export", "--history", "h.sqlite"], in: folder, label: label, tally: &tally)
        }
    }
}

private extension FuzzTests {
    /// Mutates seeds round-robin for this campaign's share of the time budget, then reports.
    func campaign(
        _ name: String, seeds: [URL],
        _ body: (inout Fuzzer, Data, String, inout Fuzzer.Tally) throws -> Void
    ) throws {
        XCTAssertFalse(seeds.isEmpty, "no seeds for \(name)")
        let seedData = try seeds.map { try Data(contentsOf: $0) }
        var fuzzer = Fuzzer(
            seed: Self.seed ^ UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude), limit: 20, komply: Self.binary,
            workspace: workspace)
        var tally = Fuzzer.Tally()
        let deadline = Date().addingTimeInterval(Self.seconds / Self.campaigns)
        var index = 0
        while Date() < deadline {
            let which = Int.random(in: 0..<seeds.count, using: &fuzzer.random)
            let input = fuzzer.mutate(seedData[which])
            let label = "\(name)#\(index) (seed \(Self.seed), from \(seeds[which].lastPathComponent))"
            let before = tally.problems.count
            try body(&fuzzer, input, label, &tally)
            if tally.problems.count > before { keep(input, name: "\(name)-\(index)-\(seeds[which].lastPathComponent)") }
            tally.inputs += 1
            index += 1
        }
        print("fuzz \(name): \(tally)")
        XCTAssertGreaterThan(tally.inputs, 0)
        XCTAssertTrue(tally.problems.isEmpty, "fuzz \(name): \(tally)\n" + tally.problems.prefix(10).joined(separator: "\n"))
    }

    /// Keeps a failing input where a person can rerun it.
    func keep(_ input: Data, name: String) {
        try? FileManager.default.createDirectory(at: Self.failures, withIntermediateDirectories: true)
        try? input.write(to: Self.failures.appendingPathComponent(name))
    }

    /// Regular files under the repository folders whose names end in one of `suffixes`, sorted.
    func files(under folders: String..., suffixes: [String]) throws -> [URL] {
        var found: [URL] = []
        for folder in folders {
            let root = CLIHarness.repository.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where suffixes.contains(where: url.lastPathComponent.hasSuffix) {
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { found.append(url) }
            }
        }
        return found.sorted { $0.path < $1.path }
    }
}
