import Foundation
import XCTest

/// What komply knows about images, seen from the command line (issue 15, item 2): a `build:` service takes the
/// uid, writable paths and port of its Dockerfile's base, an unknown image is warned about at its `image:` line,
/// a mariadb tag without healthcheck.sh gets a TCP probe, and the output is the same on every run.
final class ImageKnowledgeCommandTests: XCTestCase {
    func testBuildServicesUnknownImagesAndOldMariaDBTags() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-image-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("web"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try """
        services:
          web:
            build: {context: web, args: {NGINX_VERSION: "1.27"}}
          app:
            image: example/app:1
            ports: ["8080:8080"]
          db:
            image: mariadb:10.6.4-focal
            volumes: [db_data:/var/lib/mysql]
        volumes: {db_data: {}}
        """.write(to: folder.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        try
            "ARG NGINX_VERSION=1.25\nFROM node:20 AS build\nRUN npm ci && npm run build\nFROM nginx:${NGINX_VERSION}-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n"
            .write(to: folder.appendingPathComponent("web/Dockerfile"), atomically: true, encoding: .utf8)
        let result = try CLIHarness.run(["generate", ".", "--dry-run", "--no-predict", "--verbose"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(
            result.stderr.contains("compose.yaml:5:12: warning: service app: image example/app:1 is not one komply knows"),
            result.stderr)
        XCTAssertTrue(result.stderr.contains("x-komply.writablePaths"), result.stderr)
        XCTAssertTrue(result.stderr.contains("service db: probe healthcheck.sh --connect not used"), result.stderr)
        let web = try XCTUnwrap(result.stdout.components(separatedBy: "=== ").first { $0.contains("base/web.yaml") })
        XCTAssertTrue(web.contains("runtime=static (image nginx (FROM nginx:1.27-alpine in web/Dockerfile:4))"), web)
        XCTAssertTrue(web.contains("runAsUser: 101"), web)
        XCTAssertTrue(web.contains("mountPath: /var/cache/nginx"), web)
        XCTAssertTrue(web.contains("containerPort: 80"), web)
        let db = try XCTUnwrap(result.stdout.components(separatedBy: "=== ").first { $0.contains("base/db.yaml") })
        XCTAssertFalse(db.contains("healthcheck.sh"), db)
        XCTAssertTrue(db.contains("tcpSocket"), db)
        let again = try CLIHarness.run(["generate", ".", "--dry-run", "--no-predict", "--verbose"], in: folder)
        XCTAssertEqual(again.stdout, result.stdout, "byte-identical on rerun")
    }
}
