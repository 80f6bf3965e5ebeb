import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

final class DockerStatsReaderTests: XCTestCase {
    // MARK: Reading

    func testReadsShopStatsLines() throws {
        let samples = try read("shop-stack.stats.jsonl")
        XCTAssertEqual(samples.map(\.name), ["shop-db-1", "shop-api-1", "shop-cache-1", "shop-web-1"])
        XCTAssertEqual(samples.map(\.id), ["5f0c3a1e9b7d", "8a2e4c6b0d1f", "c4e6a8b0d2f4", "e1f3a5c7e9b1"])
        XCTAssertEqual(samples.map(\.cpuCores), [0.0341, 0.1792, 0.0084, 0.0005])
        XCTAssertEqual(
            samples[1],
            StatsSample(
                name: "shop-api-1", id: "8a2e4c6b0d1f", cpuCores: 0.1792, memoryBytes: 189 * 1_048_576,
                memoryLimitBytes: 768 * 1_048_576,
                location: SourceLocation(file: "shop-stack.stats.jsonl", range: samples[1].location.range)))
        XCTAssertEqual(
            samples.map(\.location.description),
            [
                "shop-stack.stats.jsonl:1:1", "shop-stack.stats.jsonl:2:1",
                "shop-stack.stats.jsonl:3:1", "shop-stack.stats.jsonl:4:1",
            ])
        XCTAssertEqual(samples[3].memoryBytes, 10_695_475)  // 10.2 MiB
        XCTAssertEqual(samples[3].memoryLimitBytes, 8_332_236_554)  // 7.76 GiB
    }

    func testDockerUnitsAndBlankLines() throws {
        let text = """

            {"Name": "a", "ID": "1", "CPUPerc": "250.5%", "MemUsage": "1.5GiB / 2GiB"}
              \r
            {"Name": "b", "CPUPerc": "0%", "MemUsage": "12.3kB / 1GB"}
            {"Container": "c", "CPUPerc": "1.00%", "MemUsage": "512B / 1TiB"}
            {"Name": "d", "CPUPerc": "1.00%", "MemUsage": "2MB / 0B"}\r
            {"Name": "e", "CPUPerc": "1.00%", "MemUsage": "3KiB"}
            """
        let samples = try DockerStatsReader.parse(text, file: "inline.jsonl")
        XCTAssertEqual(samples.map(\.name), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(samples.map(\.id), ["1", "", "c", "", ""])
        XCTAssertEqual(samples.map(\.cpuCores), [2.505, 0, 0.01, 0.01, 0.01])
        XCTAssertEqual(samples.map(\.memoryBytes), [1_610_612_736, 12_300, 512, 2_000_000, 3072])
        XCTAssertEqual(samples.map(\.memoryLimitBytes), [2_147_483_648, 1_000_000_000, 1 << 40, nil, nil])
        XCTAssertEqual(
            samples.map(\.location.description),
            [
                "inline.jsonl:2:1", "inline.jsonl:4:1", "inline.jsonl:5:1", "inline.jsonl:6:1", "inline.jsonl:7:1",
            ])
        XCTAssertEqual(samples[1].location.range?.start.offset, 80, "offsets count from the start of the file")
    }

    // MARK: Bad input

    func testLineThatIsNotJSONNamesItsPosition() throws {
        let error = try readError("bad/not-json.stats.jsonl")
        guard case .malformed(let location, let message) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(location.description, "bad/not-json.stats.jsonl:3:96", "just past the end of the truncated line")
        XCTAssertEqual(location.range?.start.offset, 194)
        XCTAssertTrue(
            message.hasPrefix(
                "expected one JSON object per line, as docker stats --no-stream --format '{{json .}}' prints: "), message)
        XCTAssertTrue(message.hasSuffix("while parsing a flow mapping at line 3, column 1"), message)

        let plain = try readError("bad/plain-text.stats.jsonl")
        XCTAssertEqual(
            plain.errorDescription,
            "bad/plain-text.stats.jsonl:2:1: docker stats line must be a JSON object, "
                + "found the string \"CPU 17.92% MEM 189MiB\"")
    }

    func testLineWithoutCPUPercNamesItsPosition() throws {
        let error = try readError("bad/missing-cpu.stats.jsonl")
        XCTAssertEqual(
            error.errorDescription,
            "bad/missing-cpu.stats.jsonl:2:1: docker stats line has no \"CPUPerc\"; "
                + "expected one JSON object per line, as docker stats --no-stream --format '{{json .}}' prints")
    }

    func testUnreadableMemUsageNamesItsPosition() throws {
        let error = try readError("bad/memusage.stats.jsonl")
        XCTAssertEqual(error.location?.description, "bad/memusage.stats.jsonl:1:56")
        XCTAssertEqual(
            error.errorDescription,
            "bad/memusage.stats.jsonl:1:56: MemUsage must be \"USED / LIMIT\" in docker's "
                + "units (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB), such as \"189MiB / 768MiB\", found the string \"lots / 7.76GiB\"")
    }

    func testOtherBadValues() {
        func message(_ line: String) -> String? {
            do {
                _ = try DockerStatsReader.parse("\n" + line, file: "s.jsonl")
                return nil
            } catch { return error.errorDescription }
        }
        XCTAssertEqual(
            message(#"{"Name": "a", "CPUPerc": "fast", "MemUsage": "1B / 2B"}"#),
            "s.jsonl:2:26: CPUPerc must be a percentage such as \"17.92%\", found the string \"fast\"")
        XCTAssertEqual(
            message(#"{"Name": "a", "CPUPerc": 3.5, "MemUsage": "1B / 2B"}"#),
            "s.jsonl:2:26: CPUPerc must be a string, found the number 3.5")
        let threeSides = message(#"{"Name": "a", "CPUPerc": "1%", "MemUsage": "1B / 2B / 3B"}"#)
        XCTAssertEqual(threeSides?.hasPrefix("s.jsonl:2:44: MemUsage must be"), true, threeSides ?? "")
        let unknownUnit = message(#"{"Name": "a", "CPUPerc": "1%", "MemUsage": "1XB / 2B"}"#)
        XCTAssertEqual(unknownUnit?.hasPrefix("s.jsonl:2:44: MemUsage must be"), true, unknownUnit ?? "")
        XCTAssertEqual(
            message(#"{"CPUPerc": "1%", "MemUsage": "1B / 2B"}"#),
            "s.jsonl:2:1: docker stats line has no \"Name\", \"Container\" or \"ID\"; "
                + "expected one JSON object per line, as docker stats --no-stream --format '{{json .}}' prints")
        let duplicate = message(#"{"Name": "a", "Name": "b", "CPUPerc": "1%", "MemUsage": "1B"}"#)
        XCTAssertEqual(duplicate?.hasPrefix("s.jsonl:2:15: duplicate key"), true, duplicate ?? "")
    }

    func testMissingFileIsAnError() {
        XCTAssertThrowsError(try DockerStatsReader.read(path: "/nonexistent/stats.jsonl", displayName: "stats.jsonl")) { error in
            XCTAssertEqual((error as? SourcesError)?.errorDescription, "stats.jsonl: cannot read file: no such file")
        }
    }

    // MARK: Attaching

    func testReplicasAreAveragedPerContainerAndSummedPerService() throws {
        var projects = try DockerInspectReader.read(
            YAMLLoader.load(
                path: inspectFixtures.appendingPathComponent("extras.inspect.json").path,
                displayName: "extras.inspect.json"),
            file: "extras.inspect.json")
        let diagnostics = DockerStatsReader.attach(try read("extras.stats.jsonl"), to: &projects, source: "extras.stats.jsonl")
        XCTAssertEqual(
            diagnostics.map(\.description),
            [
                "extras.stats.jsonl:4:1: warning: docker stats sample for container \"stray-1\" (id ffffffffffff) "
                    + "matches no service; it is ignored"
            ])
        let queue = try XCTUnwrap(projects.first { $0.name == "queue" })
        // queue-worker-1: two lines (40% and 60%, 300 and 500 MiB) average to 0.5 cores and 400 MiB; plus queue-worker-2.
        XCTAssertEqual(
            queue[service: "worker"]?.komply.observed,
            ObservedUsage(
                cpuCores: 0.7, memoryBytes: 500 << 20, memoryLimitBytes: 2 << 30, samples: 3, source: "extras.stats.jsonl"))
        XCTAssertEqual(
            queue[service: "sidecar"]?.komply.observed,
            ObservedUsage(
                cpuCores: 0.015, memoryBytes: 20_000_000, memoryLimitBytes: 128 << 20, samples: 1, source: "extras.stats.jsonl"))
        XCTAssertNil(projects.first { $0.name == "metrics" }?.services[0].komply.observed)
    }

    func testComposeNamingMatchesServicesWithoutRecordedContainers() {
        // A project read from a compose file records no containers; compose names them <project>-<service>-<n>.
        var projects = [ComposeProject(name: "shop", services: [ComposeService(name: "api"), ComposeService(name: "db")])]
        let location = SourceLocation(file: "s.jsonl")
        let samples = [
            StatsSample(
                name: "shop-api-1", id: "a1", cpuCores: 0.25, memoryBytes: 100, memoryLimitBytes: 1000,
                location: location),
            StatsSample(name: "shop_api_2", id: "a2", cpuCores: 0.5, memoryBytes: 200, memoryLimitBytes: nil, location: location),
            StatsSample(name: "shop-api-x", id: "a3", cpuCores: 1, memoryBytes: 1, memoryLimitBytes: nil, location: location),
            StatsSample(name: "shop-db", id: "d1", cpuCores: 1, memoryBytes: 1, memoryLimitBytes: nil, location: location),
        ]
        let diagnostics = DockerStatsReader.attach(samples, to: &projects, source: "s.jsonl")
        XCTAssertEqual(diagnostics.count, 2)
        XCTAssertEqual(
            projects[0][service: "api"]?.komply.observed,
            ObservedUsage(
                cpuCores: 0.75, memoryBytes: 300, memoryLimitBytes: nil, samples: 2, source: "s.jsonl"))
        XCTAssertNil(projects[0][service: "db"]?.komply.observed)
    }

    func testRecordedContainerIdsMatchToo() {
        var service = ComposeService(name: "job")
        service.komply.containers = ["0123456789ab"]
        var projects = [ComposeProject(name: "0123456789ab", services: [service])]
        let sample = StatsSample(
            name: "elegant_turing", id: "0123456789ab", cpuCores: 0.1, memoryBytes: 5,
            memoryLimitBytes: 10, location: SourceLocation(file: "s.jsonl"))
        XCTAssertEqual(DockerStatsReader.attach([sample], to: &projects, source: "s.jsonl"), [])
        XCTAssertEqual(projects[0].services[0].komply.observed?.memoryBytes, 5)
    }

    // MARK: Helpers

    private struct UnexpectedSuccess: Error {}

    private func read(_ name: String) throws -> [StatsSample] {
        try DockerStatsReader.read(path: inspectFixtures.appendingPathComponent(name).path, displayName: name)
    }

    private func readError(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> SourcesError {
        do {
            let samples = try read(name)
            XCTFail("expected an error, read \(samples.count) samples", file: file, line: line)
            throw UnexpectedSuccess()
        } catch let error as SourcesError {
            return error
        }
    }
}
