import Foundation
import XCTest

/// End-to-end through the `komply` binary: numbers from outside that used to trap (exit 132) are refused
/// with exit 2 and a position, or dropped with a warning where the input is a noisy stream (issue 16, item 1).
final class NumberBoundsCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-numbers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func testComposeNumbersOutOfBoundsExitTwoWithTheirPosition() throws {
        let cases = [
            ("cpus", "    deploy:\n      resources:\n        reservations:\n          cpus: 'nan'\n", "compose.yaml:7:17: "),
            ("replicas", "    deploy:\n      replicas: 9223372036854775807\n", "compose.yaml:5:17: "),
        ]
        for (name, service, position) in cases {
            try write("compose.yaml", "services:\n  api:\n    image: nginx:1.27\n" + service)
            for command in [["sources"], ["generate", "--dry-run"], ["predict"]] {
                let result = try CLIHarness.run(command + ["compose.yaml"], in: folder)
                XCTAssertEqual(result.status, 2, "\(name) \(command): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains(position), "\(name) \(command): \(result.stderr)")
            }
        }
    }

    func testRuntimeFlagOutOfBoundsIsAWarningNotATrap() throws {
        try write("compose.yaml", "services:\n  api:\n    image: golang-app:1\n    environment:\n      GOMEMLIMIT: NaN\n")
        let predict = try CLIHarness.run(["predict", "compose.yaml"], in: folder)
        XCTAssertEqual(predict.status, 0, predict.stderr)
        XCTAssertTrue(predict.stdout.contains("runtime-hint-out-of-range"), predict.stdout)
        XCTAssertEqual(try CLIHarness.run(["generate", "--dry-run", "compose.yaml"], in: folder).status, 0)
    }

    func testInspectStopTimeoutOutOfBoundsExitsTwo() throws {
        try write(
            "a.inspect.json",
            #"[{"Id": "abc", "Name": "/a", "Config": {"Image": "nginx", "StopTimeout": 10000000000}, "HostConfig": {}}]"#)
        let result = try CLIHarness.run(["sources", "a.inspect.json"], in: folder)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("a.inspect.json:1:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Config.StopTimeout 10000000000 is out of range for seconds"), result.stderr)
    }

    /// A CSV with a poisoned row imports the rest and names the row; predicting from it then works, and a
    /// future sample is dropped as the docs say, not stored.
    func testPoisonedCSVRowsAreDroppedWithAWarningAndNothingPoisonedIsStored() throws {
        try write(
            "u.csv",
            "time,service,container,cpu_cores,memory_bytes\n2026-12-01T00:00:00Z,api,api,1e300,1000000\n"
                + "2030-01-01T00:00:00Z,api,api,0.5,1000\n2026-12-01T00:01:00Z,api,api,0.25,2000000\n")
        try write("compose.yaml", "services:\n  api:\n    image: nginx:1.27\n")
        let now = ["--now", "2026-12-07T00:00:00Z"]
        let imported = try CLIHarness.run(["history", "import", "u.csv", "--history", "h.sqlite"] + now, in: folder)
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(
            imported.stderr.contains("komply: warning: u.csv:2:30: dropped cpu_cores: 1e+300 is out of range for CPU cores"),
            imported.stderr)
        XCTAssertTrue(imported.stderr.contains("dated more than 300 s after now"), imported.stderr)
        XCTAssertTrue(imported.stdout.contains("+3 sample(s)"), imported.stdout)
        let exported = try CLIHarness.run(["history", "export", "--history", "h.sqlite"], in: folder)
        XCTAssertEqual(exported.status, 0, exported.stderr)
        XCTAssertFalse(exported.stdout.contains("2030-"), exported.stdout)
        XCTAssertFalse(exported.stdout.contains("e+300"), exported.stdout)
        let predict = try CLIHarness.run(["predict", "compose.yaml", "--history", "h.sqlite"] + now, in: folder)
        XCTAssertEqual(predict.status, 0, predict.stderr)
    }

    func testJSONLinesReplicasOutOfBoundsExitTwo() throws {
        try write(
            "d.jsonl", #"{"type":"deployment","service":"api","time":"2026-12-01T00:00:00Z","replicas":1e300}"# + "\n")
        let result = try CLIHarness.run(["history", "import", "d.jsonl", "--history", "h.sqlite"], in: folder)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("d.jsonl:1:"), result.stderr)
    }

    func testTimesAndXKomplyAmountsOutOfBoundsExitTwo() throws {
        try write("compose.yaml", "services:\n  api:\n    image: nginx:1.27\n")
        for arguments in [
            ["predict", "compose.yaml", "--now", "1e300"], ["history", "import", "u.csv", "--now", "nan", "--history", "h.sqlite"],
            ["history", "import", "s.jsonl", "--format", "docker-stats", "--at=-1e300", "--history", "h.sqlite"],
        ] {
            let result = try CLIHarness.run(arguments, in: folder)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("between 1970 and 2100"), "\(arguments): \(result.stderr)")
        }
        try write(
            "compose.yaml",
            "services:\n  api:\n    image: nginx:1.27\n    x-komply:\n      resources:\n        limits: {memory: 8Ei}\n")
        let generate = try CLIHarness.run(["generate", "--dry-run", "compose.yaml"], in: folder)
        XCTAssertEqual(generate.status, 2, generate.stderr)
        XCTAssertTrue(
            generate.stderr.contains("x-komply.resources.limits.memory must be a memory quantity from 0 to 4Ei"), generate.stderr)
    }

    func testXKomplyPortAndUserIDOutOfRangeExitTwo() throws {
        let cases = [
            ("probes: {path: /h, port: 9223372036854775807}", "x-komply.probes.port must be a port from 1 to 65535"),
            ("port: 9223372036854775807", "x-komply.port must be a port from 1 to 65535"),
            ("port: 0", "x-komply.port must be a port from 1 to 65535"),
            ("port: http", "x-komply.port must be an integer"),
            ("uid: 9223372036854775807", "x-komply.uid must be a non-root numeric user id from 1 to 2147483647"),
            ("replicas: -1", "x-komply.replicas must be a replica count from 0 to 1000000"),
        ]
        for (option, message) in cases {
            try write("compose.yaml", "services:\n  api:\n    image: nginx:1.27\n    x-komply:\n      \(option)\n")
            let result = try CLIHarness.run(["generate", "--dry-run", "compose.yaml"], in: folder)
            XCTAssertEqual(result.status, 2, "\(option): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("compose.yaml:5:"), "\(option): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(option): \(result.stderr)")
        }
    }

    /// 4Ei × resourceScale 16 overflowed the overlay's MiB rounding (exit 132); past the bound it is refused.
    func testResourceScalePastTheBoundsExitsTwo() throws {
        try write(
            "compose.yaml", "services:\n  api:\n    image: nginx:1.27\n    x-komply:\n      resources:\n        limits: {memory: 4Ei}\n")
        try write("komply.yaml", "apiVersion: komply.dev/v1\nkind: Config\nenvironments:\n  - name: prod\n    resourceScale: 16\n")
        let result = try CLIHarness.run(["generate", "--dry-run", "compose.yaml"], in: folder)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(
            result.stderr.contains("environment \"prod\": resourceScale 16 takes the memory limit of service \"api\" (4Ei) past"),
            result.stderr)
        try write("komply.yaml", "apiVersion: komply.dev/v1\nkind: Config\nenvironments:\n  - name: prod\n    resourceScale: 1.5\n")
        try write(
            "compose.yaml", "services:\n  api:\n    image: nginx:1.27\n    x-komply:\n      resources:\n        limits: {memory: 2Ei}\n")
        let scaled = try CLIHarness.run(["generate", "--dry-run", "compose.yaml"], in: folder)
        XCTAssertEqual(scaled.status, 0, scaled.stderr)
        XCTAssertTrue(scaled.stdout.contains(#"\"memory\":\"3Ei\""#), scaled.stdout)
    }

    /// `lint --fix` sizes missing resources with the same reader: GOMEMLIMIT=NaN in a manifest trapped it (exit 132).
    func testLintFixSizingIgnoresARuntimeFlagPastItsBound() throws {
        try write(
            "d.yaml",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: a, namespace: n}
            spec:
              replicas: 2
              selector: {matchLabels: {app: a}}
              template:
                metadata: {labels: {app: a}}
                spec:
                  containers:
                    - name: a
                      image: golang:1.22
                      env:
                        - {name: GOMEMLIMIT, value: "NaN"}

            """)
        let result = try CLIHarness.run(["lint", "--fix", "d.yaml"], in: folder)
        XCTAssertEqual(result.status, 1, result.stderr)
        let fixed = try String(contentsOf: folder.appendingPathComponent("d.yaml"), encoding: .utf8)
        XCTAssertTrue(fixed.contains("resources:"), fixed)
    }
}
