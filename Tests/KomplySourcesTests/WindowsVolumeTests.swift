import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

/// Windows-style volume paths split as docker compose splits them (a drive letter's colon is no separator) and stay
/// host paths that are never resolved against the project; expected values are what `docker compose config` printed
/// for each spec (also checked live by `fixtures/parity/windows-volumes` in ComposeParityTests).
final class WindowsVolumeTests: XCTestCase {
    func testShortSyntaxSplitsLikeDockerCompose() {
        let cases: [(String, type: String, source: String?, target: String, readOnly: Bool)] = [
            (#"C:\data:/data"#, "bind", #"C:\data"#, "/data", false),
            ("C:/data:/data2:ro", "bind", "C:/data", "/data2", true),
            (#"c:\Users\me\app:/app:rw"#, "bind", #"c:\Users\me\app"#, "/app", false),
            (#"\\server\share:/x:ro"#, "bind", #"\\server\share"#, "/x", true),
            (#"C:\data:C:\target"#, "bind", #"C:\data"#, #"C:\target"#, false),
            ("c:data:/x", "bind", "c:data", "/x", false),
            (#".\rel:/x"#, "bind", #".\rel"#, "/x", false),
            (#"C:\data"#, "volume", nil, #"C:\data"#, false),
            ("C:", "volume", nil, "C:", false),
            ("v:/data", "volume", nil, "v:/data", false),
            ("v:/data:ro", "bind", "v:/data", "ro", false),
            ("ab:/data", "volume", "ab", "/data", false),
            (#"my\vol:/data"#, "volume", #"my\vol"#, "/data", false),
        ]
        for (spec, type, source, target, readOnly) in cases {
            let mount = ShortSyntax.volume(spec)
            XCTAssertEqual(mount?.type, type, spec)
            XCTAssertEqual(mount?.source, source, spec)
            XCTAssertEqual(mount?.target, target, spec)
            XCTAssertEqual(mount?.readOnly, readOnly, spec)
        }
        XCTAssertNil(ShortSyntax.volume("C:/a:/b:/c:ro"), "too many colons")
    }

    func testWindowsHostPathsAreKeptAsWrittenAndNeverResolved() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-win-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = """
            services:
              app:
                image: nginx:1.27
                volumes:
                  - C:\\data:/data
                  - type: bind
                    source: \\\\server\\share
                    target: /share
                  - c:conf:/etc/conf
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/compose.yaml"))
        let project = try XCTUnwrap(try SourceLoader.load(SourceRequest(paths: [folder])).first)
        let volumes = try XCTUnwrap(project.services.first?.volumes)
        XCTAssertEqual(volumes.map(\.source), [#"C:\data"#, #"\\server\share"#, "./c:conf"])
        XCTAssertEqual(volumes.map(\.type), ["bind", "bind", "bind"])
        XCTAssertTrue(Paths.isWindowsAbsolute(#"C:\data"#) && Paths.isWindowsAbsolute("d:/x") && Paths.isWindowsAbsolute(#"\\s\x"#))
        XCTAssertFalse(Paths.isWindowsAbsolute("c:conf") || Paths.isWindowsAbsolute("/srv") || Paths.isWindowsAbsolute("1:/x"))
    }
}
