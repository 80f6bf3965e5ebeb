import Foundation
import KomplyCore
import XCTest

@testable import KomplySources

final class ComposeLoaderTests: XCTestCase {
    func testDebugPrint() throws {
        let project = try ComposeLoader.load(ComposeRequest(files: ["fixtures/compose/full/compose.yaml"], profiles: ["debug"], environment: [:]))
        print(JSONEmitter.emit(project.canonical()))
        for d in project.diagnostics { print(d) }
    }
}
