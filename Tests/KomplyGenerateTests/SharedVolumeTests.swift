import Foundation
import KomplyCore
import KomplySources
import XCTest

@testable import KomplyGenerate

/// Two services mounting one named volume (ordinary compose) are refused with the services' names and
/// the position of the second one's `volumes`, not with file names and no position.
final class SharedVolumeTests: XCTestCase {
    func testASharedNamedVolumeNamesTheServicesAndItsPosition() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-shared-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text =
            "services:\n  a:\n    image: nginx:1.27\n    volumes: [data:/data]\n  b:\n    image: nginx:1.27\n    volumes: [data:/data]\nvolumes:\n  data: {}\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/compose.yaml"))
        let projects = try SourceLoader.load(SourceRequest(paths: [folder]))
        XCTAssertThrowsError(try Generator(settings: GeneratorSettings()).generate(projects)) { error in
            guard case .sharedVolume(let location, let volume, let services)? = error as? GenerateError else { return XCTFail("\(error)") }
            XCTAssertEqual(volume, "data")
            XCTAssertEqual(services, ["a", "b"])
            XCTAssertEqual(location?.range?.start.line, 7)
            XCTAssertTrue(error.localizedDescription.contains("expected each named volume to be mounted by one service"))
        }
    }
}
