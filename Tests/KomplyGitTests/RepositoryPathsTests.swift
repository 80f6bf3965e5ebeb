import Foundation
import XCTest

@testable import KomplyGit

final class RepositoryPathsTests: XCTestCase {
    func testRepositoryPathsFromASubfolder() {
        let locations = RepositoryPaths(workdir: "/repo", current: "/repo/apps/shop")
        XCTAssertEqual(locations.currentFolder, "apps/shop")
        XCTAssertEqual(locations.repositoryPath(of: "compose.yaml"), "apps/shop/compose.yaml")
        XCTAssertEqual(locations.repositoryPath(of: "../../deploy/./a.yaml"), "deploy/a.yaml")
        XCTAssertEqual(locations.repositoryPath(of: "/repo"), "")
        XCTAssertNil(locations.repositoryPath(of: "../../../etc/passwd"))
        XCTAssertNil(locations.repositoryPath(of: "/repository/a.yaml"))
        XCTAssertEqual(locations.display("apps/shop/compose.yaml"), "compose.yaml")
        XCTAssertEqual(locations.display("deploy/a.yaml"), "../../deploy/a.yaml")
        XCTAssertEqual(locations.display("apps/shop"), ".")
        XCTAssertNil(RepositoryPaths(workdir: "/repo", current: "/elsewhere").currentFolder)
    }

    func testAPathSpelledThroughASymbolicLinkIsInside() throws {
        let repo = try GitFixture.repository(self)
        let links = try GitFixture.temporaryDirectory(self)
        try FileManager.default.createSymbolicLink(atPath: links + "/checkout", withDestinationPath: repo)
        let locations = try RepositoryPaths(repository: try GitRepository(path: repo), currentDirectory: links + "/checkout")
        XCTAssertEqual(locations.workdir, repo)
        XCTAssertEqual(locations.current, repo)
        XCTAssertEqual(locations.repositoryPath(of: links + "/checkout/not/yet/there.yaml"), "not/yet/there.yaml")
    }

    func testABareRepositoryHasNoWorktreePaths() throws {
        let folder = try GitFixture.temporaryDirectory(self)
        try GitFixture.git(folder, "init", "-q", "--bare", "-b", "main")
        let repository = try GitRepository(path: folder)
        XCTAssertThrowsError(try RepositoryPaths(repository: repository)) { error in
            XCTAssertEqual(error as? GitError, .bareRepository(gitDirectory: repository.gitDirectory))
        }
        XCTAssertThrowsError(try repository.snapshot(.revision("HEAD"))) { error in
            XCTAssertEqual(error as? GitError, .bareRepository(gitDirectory: repository.gitDirectory))
        }
    }
}
