import XCTest

@testable import KomplyPredict

final class ImporterTests: XCTestCase {
    func read(_ text: String, file: String, _ options: HistoryImporter.Options = HistoryImporter.Options()) throws -> HistoryBatch {
        try HistoryImporter(options: options).read(data: Data(text.utf8), file: file)
    }

    func testCSVColumnsByNameWithEmptyAndNaNCells() throws {
        let batch = try read(
            """
            service,time,cpu_cores,memory_bytes
            web,2026-01-01T00:00:00Z,0.25,1048576
            web,2026-01-01T00:00:10Z,,2097152
            web,1767225620,NaN,3145728
            """, file: "u.csv")
        XCTAssertEqual(batch.samples.count, 4, "2 + 1 (empty cpu cell) + 1 (NaN cpu dropped)")
        XCTAssertEqual(
            batch.samples[0], UsageSample(service: "web", container: "web", time: 1_767_225_600, resource: .cpu, value: 0.25, source: "csv")
        )
        XCTAssertEqual(batch.notes, ["u.csv: dropped 1 NaN or infinite value(s)"])
    }

    /// Windows line endings (a CSV saved by a spreadsheet): every row is read, and errors name the
    /// same line and column as with line feeds.
    func testCSVWithCRLFLineEndings() throws {
        let rows = ["service,time,cpu_cores,memory_bytes", "web,2026-01-01T00:00:00Z,0.25,1048576", "web,2026-01-01T00:00:10Z,0.5,2097152"]
        let lf = try read(rows.joined(separator: "\n") + "\n", file: "u.csv")
        let crlf = try read(rows.joined(separator: "\r\n") + "\r\n", file: "u.csv")
        XCTAssertEqual(crlf.samples.count, 4)
        XCTAssertEqual(crlf.samples, lf.samples)
        XCTAssertThrowsError(try read("time,service,cpu_cores\r\n2026-01-01T00:00:00Z,web,lots\r\n", file: "u.csv")) { error in
            XCTAssertEqual((error as? PredictError)?.localizedDescription, "u.csv:2:26: expected cpu_cores to be a number, found \"lots\"")
        }
    }

    func testCSVErrorsNameLineAndColumn() {
        XCTAssertThrowsError(try read("time,service,cpu_cores\n2026-01-01T00:00:00Z,web,lots\n", file: "u.csv")) { error in
            XCTAssertEqual((error as? PredictError)?.localizedDescription, "u.csv:2:26: expected cpu_cores to be a number, found \"lots\"")
        }
        XCTAssertThrowsError(try read("when,service,cpu_cores\n", file: "u.csv")) { error in
            XCTAssertEqual(
                (error as? PredictError)?.localizedDescription,
                "u.csv:1:1: expected a \"time\" column in the header (time,service,container,cpu_cores,memory_bytes)")
        }
    }

    func testKubectlDumpGivesOneRecordPerContainer() throws {
        let dump = """
            {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"api","namespace":"shop","creationTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"replicas":3,"template":{"spec":{"containers":[
               {"name":"api","image":"eclipse-temurin:21","env":[{"name":"JAVA_OPTS","value":"-Xmx1g"}],
                "resources":{"requests":{"cpu":"250m"},"limits":{"cpu":"1","memory":"1536Mi"}}},
               {"name":"sidecar","image":"envoyproxy/envoy:v1.30"}]}}}},
             {"apiVersion":"v1","kind":"Service","metadata":{"name":"api"}}]}
            """
        let batch = try read(dump, file: "dump.json")
        XCTAssertEqual(batch.deployments.count, 2)
        let api = batch.deployments[0]
        XCTAssertEqual(
            api.resources, ResourceAmounts(cpuRequest: 0.25, cpuLimit: 1, memoryRequest: 1_610_612_736, memoryLimit: 1_610_612_736))
        XCTAssertEqual(api.replicas, 3)
        XCTAssertEqual(api.environment, "shop")
        XCTAssertEqual(api.runtime, "jvm")
        XCTAssertEqual(api.features["heap_bytes"], "1073741824")
        XCTAssertEqual(batch.deployments[1].container, "sidecar")
        XCTAssertEqual(batch.notes.count, 1, "the Service is skipped with a note")
    }

    func testKubectlBadQuantityNamesItsPosition() {
        let dump = """
            {"kind":"Deployment","metadata":{"name":"a","creationTimestamp":"2026-01-01T00:00:00Z"},
            "spec":{"template":{"spec":{"containers":[{"name":"a","resources":{"limits":{"memory":"lots"}}}]}}}}
            """
        XCTAssertThrowsError(try read(dump, file: "d.json")) { error in
            XCTAssertEqual(
                (error as? PredictError)?.localizedDescription,
                "d.json:2:87: expected a Kubernetes quantity such as 250m or 512Mi, found \"lots\"")
        }
    }

    func testDockerInspectRecordsLimitsRestartsAndOOMKills() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/corpus/docker-inspect/payment-api.inspect.json").standardized.path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "shared corpus not present")
        let batch = try HistoryImporter().read(path: path)
        XCTAssertEqual(batch.deployments.count, 1)
        XCTAssertEqual(batch.deployments[0].resources, ResourceAmounts(cpuLimit: 1.5, memoryLimit: 536_870_912))
        XCTAssertEqual(batch.deployments[0].features["heap_bytes"], "805306368")
        XCTAssertEqual(batch.events.map(\.kind), [.restart])
        XCTAssertEqual(batch.events[0].value, 2)
    }

    func testDockerStatsNeedsATimeAndMapsComposeNames() throws {
        let line = #"{"CPUPerc": "17.92%", "MemUsage": "189MiB / 768MiB", "Name": "shop-api-1", "Container": "8a2e"}"#
        XCTAssertThrowsError(try read(line, file: "s.jsonl", HistoryImporter.Options(format: .dockerStats)))
        let batch = try read(line + "\n" + line, file: "s.jsonl", HistoryImporter.Options(at: 1000))
        XCTAssertEqual(batch.samples.map(\.service), ["api", "api", "api", "api"])
        XCTAssertEqual(batch.samples.map(\.time), [1000, 1000, 1001, 1001])
        XCTAssertEqual(batch.samples[0].value, 0.1792, accuracy: 1e-12)
        XCTAssertEqual(batch.samples[1].value, 189 * 1_048_576)
    }

    func testPrometheusMemoryOOMAndThrottling() throws {
        func response(_ values: String) -> String {
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"app":"api","container":"api"},"values":["# + values
                + "]}]}}"
        }
        let memory = try read(response(#"[60,"100"],[120,"200"]"#), file: "m.json", HistoryImporter.Options(metric: .memory))
        XCTAssertEqual(memory.samples.map(\.value), [100, 200])
        let oom = try read(
            response(#"[60,"0"],[120,"1"],[180,"1"],[240,"0"],[300,"1"]"#), file: "o.json", HistoryImporter.Options(metric: .oom))
        XCTAssertEqual(oom.events.map(\.time), [120, 300], "one event per transition to OOMKilled")
        let throttled = try read(
            response(#"[60,"0.1"],[120,"0.5"],[180,"0.6"],[240,"0.1"]"#), file: "t.json", HistoryImporter.Options(metric: .throttled))
        XCTAssertEqual(throttled.events.count, 1, "consecutive throttled steps are one episode")
        XCTAssertThrowsError(try read(response(#"[60,"1"]"#), file: "x.json")) { error in
            XCTAssertTrue((error as? PredictError)?.localizedDescription.contains("pass --metric") == true)
        }
    }

    func testLivePrometheusQueryUsesTheInjectedTransport() async throws {
        struct Stub: HTTPTransport {
            func get(_ url: URL, headers: [String: String]) async throws -> Data {
                XCTAssertEqual(
                    url.absoluteString,
                    "http://127.0.0.1:9090/api/v1/query_range?query=up&start=0&end=120&step=60")
                return Data(
                    #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"container":"db"},"values":[[60,"5"]]}]}}"#
                        .utf8)
            }
        }
        let client = PrometheusClient(baseURL: URL(string: "http://127.0.0.1:9090")!, transport: Stub())
        let batch = try await client.fetch(query: "up", start: 0, end: 120, step: 60, options: HistoryImporter.Options(metric: .memory))
        XCTAssertEqual(batch.samples.first?.service, "db")
    }

    func testTimestamps() {
        XCTAssertEqual(Timestamp.parse("2026-01-01T00:00:00Z"), 1_767_225_600)
        XCTAssertEqual(Timestamp.parse("2026-01-01T01:00:00.5+01:00"), 1_767_225_600.5)
        XCTAssertNil(Timestamp.parse("2026-13-01T00:00:00Z"))
        XCTAssertEqual(Timestamp.format(1_767_225_600.25), "2026-01-01T00:00:00.250Z")
    }
}
