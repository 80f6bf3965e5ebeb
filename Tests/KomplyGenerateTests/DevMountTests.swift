import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// Development-pattern mounts (source bind mounts for hot reload, anonymous volumes over image folders) are left out
/// with a warning at their compose line; a mounted config folder is carried whole, sub-folders included, or refused.
final class DevMountTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-dev-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func write(_ files: [String: String]) throws {
        for (path, text) in files {
            let url = URL(fileURLWithPath: "\(folder)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    func generate() throws -> GenerationResult {
        try Generator(settings: GeneratorSettings()).generate(try SourceLoader.load(SourceRequest(paths: [folder])))
    }

    func file(_ result: GenerationResult, _ suffix: String) throws -> String {
        try XCTUnwrap(result.files.first { $0.path.hasSuffix(suffix) }?.contents, suffix)
    }

    func testSourceMountsAndAnonymousVolumesAreLeftOutAtTheirLines() throws {
        try write([
            "compose.yaml": """
            services:
              app:
                build: .
                volumes:
                  - .:/app
                  - /app/node_modules
                  - ./src:/app/src
                  - ./conf:/etc/app
                  - /var/cache/app
              api:
                image: node:22.11
                volumes:
                  - ./api:/srv
                  - /deps/vendor
            """,
            "Dockerfile": "FROM node:22.11\n", "package.json": "{}", "src/index.js": "1", "conf/app.ini": "a=1\n",
            "api/server.js": "1", "api/util.js": "2", "api/README.md": "x",
        ])
        let result = try generate()
        let warnings = result.notices.filter { $0.message.contains("is a development pattern") }
            .sorted { ($0.location?.range?.start.line ?? 0) < ($1.location?.range?.start.line ?? 0) }
        let lines = warnings.compactMap { $0.location?.range?.start.line }
        XCTAssertEqual(lines, [5, 6, 7, 13, 14], warnings.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(warnings[0].message.contains("(. is the service's build context)"), warnings[0].message)
        XCTAssertTrue(warnings[1].message.contains("under the bind mount at /app"), warnings[1].message)
        XCTAssertTrue(warnings[2].message.contains("./src holds source files such as index.js"), warnings[2].message)
        XCTAssertTrue(warnings[3].message.contains("./api holds source files such as server.js"), warnings[3].message)
        XCTAssertTrue(warnings[4].message.contains("vendor holds the dependencies"), warnings[4].message)
        XCTAssertTrue(warnings.allSatisfy { $0.message.contains("bake") })
        let app = try file(result, "/base/app.yaml")
        // The config folder is carried; the source and dependency folders are not, and no emptyDir hides them.
        // A folder is one directory mount (its files as items), so it refreshes in place.
        XCTAssertTrue(app.contains("mountPath: /etc/app\n") && app.contains("path: app.ini"), app)
        XCTAssertFalse(app.contains("node-modules") || app.contains("mountPath: /app") || app.contains("index.js"), app)
        XCTAssertTrue(app.contains("mountPath: /var/cache/app"), "an anonymous volume elsewhere stays an emptyDir")
        XCTAssertFalse(try file(result, "/base/api.yaml").contains("server.js"))
    }

    func testInsideItsOwnBuildContextCodeIsLeftOutAndConfigIsCarried() throws {
        try write([
            "compose.yaml": """
            services:
              backend:
                build: ./backend
                volumes:
                  - ./backend/src:/code/src
                  - ./backend/package.json:/code/package.json
                  - ./backend/nginx.conf:/etc/nginx/nginx.conf
                  - ./shared/settings.ini:/etc/settings.ini
                  - deps:/code/node_modules
            volumes:
              deps: {}
            """,
            "backend/Dockerfile": "FROM node:22.11\n", "backend/nginx.conf": "events {}\n", "backend/package.json": "{}",
        ])
        let result = try generate()
        let development = result.notices.filter { $0.message.contains("is a development pattern") }
        XCTAssertEqual(development.compactMap { $0.location?.range?.start.line }.sorted(), [5, 6, 9], development.map(\.message).joined())
        // A named volume over the image's dependencies would be an empty claim: no claim, no mount.
        XCTAssertTrue(development.contains { $0.message.contains("volume deps:/code/node_modules") && $0.message.contains("empty claim") })
        XCTAssertFalse(result.files.contains { $0.contents.contains("PersistentVolumeClaim") })
        XCTAssertTrue(
            development.contains {
                $0.message.contains("./backend/src lies inside the service's build context and is not in the repository")
            })
        XCTAssertTrue(development.contains { $0.message.contains("package.json is a source file of the service's build context") })
        // An existing config file stays a ConfigMap; a missing one outside a build context is a warning at its line.
        XCTAssertTrue(try file(result, "/base/backend.yaml").contains("mountPath: /etc/nginx/nginx.conf"))
        let missing = try XCTUnwrap(result.notices.first { $0.message.contains("./shared/settings.ini, which is not in the repository") })
        XCTAssertEqual(missing.severity, .warning)
        XCTAssertEqual(missing.location?.range?.start.line, 8)
    }

    func testAConfigFolderIsCarriedWithItsSubFoldersOrRefused() throws {
        try write([
            "compose.yaml": "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./nginx:/etc/nginx/conf.d\n",
            "nginx/default.conf": "server {}\n", "nginx/snippets/gzip.conf": "gzip on;\n", "nginx/.htpasswd-example": "x\n",
        ])
        let web = try file(try generate(), "/base/web.yaml")
        XCTAssertTrue(web.contains("mountPath: /etc/nginx/conf.d\n"), web)
        for path in ["default.conf", "snippets/gzip.conf", ".htpasswd-example"] {
            XCTAssertTrue(web.contains("path: \(path)\n"), "\(path) in\n\(web)")
        }
        XCTAssertTrue(web.contains("nginx-snippets-gzip.conf: |"), web)
        // A link in a sub-folder that leads outside the repository refuses the whole folder, with the entry's name.
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("komply-outside-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: outside + "/x.conf"))
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/nginx/snippets/leak.conf", withDestinationPath: outside + "/x.conf")
        let refused = try generate()
        let warning = try XCTUnwrap(refused.notices.first { $0.message.contains("bind mount ./nginx:/etc/nginx/conf.d:") })
        XCTAssertTrue(warning.message.contains("snippets/leak.conf leads outside the repository"), warning.message)
        XCTAssertTrue(warning.message.contains("the mount is left out"), warning.message)
        XCTAssertFalse(try file(refused, "/base/web.yaml").contains("gzip"), "all or nothing")
    }
}
