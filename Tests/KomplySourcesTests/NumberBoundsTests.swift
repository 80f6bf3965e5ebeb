import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

/// Numbers in compose files, `docker inspect` snapshots and `docker stats` lines are bounded when read
/// (issue 16, item 1): each used to trap (exit 132) further down; each is now refused at its position.
final class NumberBoundsTests: XCTestCase {
    override func setUp() {
        FileManager.default.changeCurrentDirectoryPath(repositoryRoot)
    }

    // MARK: Compose

    /// The message of loading `service` (indented under `services: api:`), or nil when it loads.
    func composeError(_ service: String) throws -> String? {
        let folder = "\(repositoryRoot)/.build/test-tmp/\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        let file = "\(folder)/compose.yaml"
        try ("services:\n  api:\n    image: nginx\n" + service).write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try ComposeLoader.load(ComposeRequest(files: [file]))
            return nil
        } catch {
            // The message names the file as given, relative to the repository: keep what follows its folder.
            let message = error.localizedDescription
            return message.range(of: "compose.yaml:").map { String(message[$0.lowerBound...]) } ?? message
        }
    }

    func testCPUsBeyondAMillionCoresOrNotFiniteAreRefusedAtTheirPosition() throws {
        XCTAssertEqual(
            try composeError("    deploy:\n      resources:\n        limits:\n          cpus: '1e300'\n"),
            "compose.yaml:7:17: services.api.deploy.resources.limits.cpus 1e+300 is out of range for CPU cores: "
                + "expected a finite number from 0 to 1000000")
        XCTAssertEqual(
            try composeError("    deploy:\n      resources:\n        reservations:\n          cpus: nan\n"),
            "compose.yaml:7:17: services.api.deploy.resources.reservations.cpus nan is out of range for CPU cores: "
                + "expected a finite number from 0 to 1000000")
        XCTAssertEqual(
            try composeError("    deploy:\n      resources:\n        limits:\n          cpus: .inf\n")?.contains("7:17"), true)
        XCTAssertNil(try composeError("    deploy:\n      resources:\n        limits:\n          cpus: '0.5'\n"))
    }

    func testReplicasNearIntMaxAreRefused() throws {
        XCTAssertEqual(
            try composeError("    deploy:\n      replicas: 9223372036854775807\n"),
            "compose.yaml:5:17: services.api.deploy.replicas 9223372036854775807 is out of range for replicas: "
                + "expected a finite number from 0 to 1000000")
        XCTAssertEqual(
            try composeError("    deploy:\n      replicas: 99999999999999999999\n")?.hasPrefix("compose.yaml:5:17: "), true)
        XCTAssertNil(try composeError("    deploy:\n      replicas: 1000000\n"))
    }

    func testDurationsRetriesAndMemoryBeyondTheirBoundsAreRefused() throws {
        XCTAssertEqual(
            try composeError("    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 600000h\n"),
            "compose.yaml:6:17: services.api.healthcheck.interval \"600000h\" is out of range: "
                + "expected a duration from 0 to 2147483647 seconds")
        XCTAssertEqual(
            try composeError("    healthcheck:\n      test: [\"CMD\", \"true\"]\n      retries: 9223372036854775807\n")?
                .hasPrefix("compose.yaml:6:16: services.api.healthcheck.retries 9223372036854775807 is out of range for a count"),
            true)
        XCTAssertEqual(
            try composeError("    mem_limit: 8000p\n")?.hasPrefix(
                "compose.yaml:4:16: services.api.mem_limit 8000p (9007199254740992000 bytes) is out of range"),
            true)
        XCTAssertNil(try composeError("    mem_limit: 4096p\n    stop_grace_period: 1h\n"))
        XCTAssertNil(try composeError("    deploy:\n      resources:\n        limits:\n          pids: -1\n"))
        XCTAssertEqual(
            try composeError("    deploy:\n      resources:\n        limits:\n          pids: -2\n"),
            "compose.yaml:7:17: services.api.deploy.resources.limits.pids -2 is out of range for a PIDs limit: "
                + "expected a finite number from -1 to 2147483647")
    }

    // MARK: docker inspect

    /// The message of reading the payment-api snapshot after `change` edits its container object.
    func inspectError(_ change: (inout [String: Any]) -> Void, containers: Int = 1) throws -> String? {
        let data = try Data(contentsOf: inspectFixtures.appendingPathComponent("payment-api.inspect.json"))
        var array = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        change(&array[0])
        let json = try JSONSerialization.data(withJSONObject: array, options: [.prettyPrinted, .sortedKeys])
        do {
            _ = try DockerInspectReader.read(try YAMLLoader.parse(bytes: json, file: "p.json"), file: "p.json")
            return nil
        } catch {
            return error.localizedDescription
        }
    }

    func set(_ section: String, _ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
        { container in
            var object = container[section] as? [String: Any] ?? [:]
            object[key] = value
            container[section] = object
        }
    }

    func testInspectNumbersBeyondTheirBoundsAreRefusedAtTheirPosition() throws {
        let stop = try XCTUnwrap(try inspectError(set("Config", "StopTimeout", 10_000_000_000)))
        XCTAssertTrue(
            stop.hasSuffix("Config.StopTimeout 10000000000 is out of range for seconds: expected a finite number from 0 to 2147483647"),
            stop)
        XCTAssertNotNil(stop.range(of: #"^p\.json:\d+:\d+: "#, options: .regularExpression), stop)
        XCTAssertTrue(try XCTUnwrap(try inspectError(set("Config", "StopTimeout", -10_000_000_000))).contains("Config.StopTimeout"))
        let memory = try XCTUnwrap(try inspectError(set("HostConfig", "Memory", 4_700_000_000_000_000_000)))
        XCTAssertTrue(memory.contains("HostConfig.Memory 4700000000000000000 is out of range for memory bytes"), memory)
        let quota = try XCTUnwrap(
            try inspectError { container in
                var host = container["HostConfig"] as? [String: Any] ?? [:]
                host["CpuQuota"] = 8_000_000_000_000_000_000
                host["CpuPeriod"] = 1
                host["NanoCpus"] = 0
                container["HostConfig"] = host
            })
        XCTAssertTrue(quota.contains("HostConfig.CpuQuota 8000000000000000000 / 1 is out of range for CPU cores"), quota)
        let restarts = try XCTUnwrap(try inspectError { $0["RestartCount"] = Int.max })
        XCTAssertTrue(restarts.contains("RestartCount 9223372036854775807 is out of range for a count"), restarts)
        for key in ["Interval", "Retries"] {
            let message = try XCTUnwrap(
                try inspectError { container in
                    var config = container["Config"] as? [String: Any] ?? [:]
                    var check = config["Healthcheck"] as? [String: Any] ?? [:]
                    check[key] = Int64.max
                    config["Healthcheck"] = check
                    container["Config"] = config
                })
            XCTAssertTrue(message.contains("Config.Healthcheck.\(key) 9223372036854775807"), message)
        }
        XCTAssertNil(try inspectError(set("Config", "StopTimeout", 30)))
        // Docker's "wait forever" has no Kubernetes form: a warning, and no grace period.
        let data = try Data(contentsOf: inspectFixtures.appendingPathComponent("payment-api.inspect.json"))
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: #""Config": {"#, with: #""Config": {"StopTimeout": -1, "#)
        let projects = try DockerInspectReader.read(try YAMLLoader.parse(text, file: "p.json"), file: "p.json")
        XCTAssertNil(projects[0].services[0].stopGracePeriod)
        XCTAssertTrue(projects[0].diagnostics.contains { $0.message.contains("Config.StopTimeout -1 (wait forever)") })
    }

    // MARK: docker stats

    func testStatsLinesBeyondTheBoundsAreRefusedAndSumsPastThemAreDropped() throws {
        func statsLine(_ cpu: String, _ memory: String, _ replica: Int = 1) -> String {
            #"{"CPUPerc": "\#(cpu)", "MemUsage": "\#(memory) / 8GiB", "Name": "shop-api-\#(replica)"}"#
        }
        XCTAssertThrowsError(try DockerStatsReader.parse(statsLine("200000000.5%", "1MiB"), file: "s.jsonl")) { error in
            XCTAssertTrue(error.localizedDescription.hasPrefix("s.jsonl:1:13: CPUPerc 2000000.005 is out of range"), "\(error)")
        }
        // Each line is within 4 EiB; the two replicas add up past it, so the service gets no observation.
        let text = [statsLine("1%", "4000PiB", 1), statsLine("1%", "4000PiB", 1), statsLine("1%", "4000PiB", 2)]
            .joined(separator: "\n")
        let samples = try DockerStatsReader.parse(text, file: "s.jsonl")
        var projects = try DockerInspectReader.read(
            try YAMLLoader.parse(
                bytes: Data(contentsOf: inspectFixtures.appendingPathComponent("shop-stack.inspect.json")), file: "shop.json"),
            file: "shop.json")
        let api = projects[0].services.firstIndex { $0.name == "api" }!
        projects[0].services[api].komply.containers += ["shop-api-1", "shop-api-2"]
        let warnings = DockerStatsReader.attach(samples, to: &projects, source: "s.jsonl")
        XCTAssertNil(projects[0].services[api].komply.observed)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings.first?.message.contains("add up past a physical bound") == true, "\(warnings)")
        XCTAssertEqual(warnings.first?.location?.description, "s.jsonl:1:1")
    }
}
