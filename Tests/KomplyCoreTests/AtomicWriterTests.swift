import Foundation
import XCTest

@testable import KomplyCore

final class AtomicWriterTests: XCTestCase {
    func testWritesAndCreatesParentFolders() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/deploy/shop/base/deployment.yaml"
        try AtomicWriter.write(Data("kind: Deployment\n".utf8), to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("kind: Deployment\n".utf8))
        XCTAssertEqual(try permissions(path), 0o644)
        try AtomicWriter.write(Data(), to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data())
        XCTAssertEqual(try leftovers(dir + "/deploy/shop/base"), [])
    }

    /// Chunks are written one after another, empty ones included, to files and devices alike.
    func testWritesChunksInOrder() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/report.json"
        try AtomicWriter.write(chunks: [Data("{\"a\"".utf8), Data(), Data(": 1}".utf8), Data("\n".utf8)], to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("{\"a\": 1}\n".utf8))
        try AtomicWriter.write(chunks: [], to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data())
        try AtomicWriter.write(chunks: [Data("x".utf8), Data("y".utf8)], to: "/dev/null")
        XCTAssertEqual(try leftovers(dir), [])
    }

    func testWriteIfChangedReportsWhetherBytesChanged() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/a.yaml"
        XCTAssertTrue(try AtomicWriter.writeIfChanged(Data("one\n".utf8), to: path))
        let inode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)
        XCTAssertFalse(try AtomicWriter.writeIfChanged(Data("one\n".utf8), to: path))
        // Unchanged content is not rewritten: the file is the same inode.
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber, inode)
        XCTAssertTrue(try AtomicWriter.writeIfChanged(Data("one\r\n".utf8), to: path))
        XCTAssertTrue(try AtomicWriter.writeIfChanged(Data("two\n".utf8), to: path))
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("two\n".utf8))
        XCTAssertTrue(try AtomicWriter.writeIfChanged(Data(), to: dir + "/empty"))
        XCTAssertFalse(try AtomicWriter.writeIfChanged(Data(), to: dir + "/empty"))
    }

    func testKeepsPermissionsOfAnExistingFile() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/run.sh"
        try AtomicWriter.write(Data("#!/bin/sh\n".utf8), to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        try AtomicWriter.write(Data("#!/bin/sh\necho hi\n".utf8), to: path)
        XCTAssertEqual(try permissions(path), 0o755)
    }

    func testReplacesASymbolicLinkInsteadOfWritingThroughIt() throws {
        let dir = try temporaryDirectory()
        try AtomicWriter.write(Data("target\n".utf8), to: dir + "/target")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "target")
        try AtomicWriter.write(Data("new\n".utf8), to: dir + "/link")
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/target"), Data("target\n".utf8))
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/link"), Data("new\n".utf8))
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link"))
    }

    func testFailureLeavesTargetAndNoTemporaryFile() throws {
        let dir = try temporaryDirectory()
        // A folder at the target.
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicWriter.write(Data("x".utf8), to: dir + "/out")) { error in
            XCTAssertEqual(error as? CoreError, .cannotWrite(file: dir + "/out", reason: "it is a folder"))
        }
        // A file where a parent folder should be.
        try AtomicWriter.write(Data("file\n".utf8), to: dir + "/plain")
        XCTAssertThrowsError(try AtomicWriter.write(Data("x".utf8), to: dir + "/plain/child.yaml")) { error in
            XCTAssertTrue(error.localizedDescription.hasPrefix(dir + "/plain/child.yaml: cannot write file"), error.localizedDescription)
        }
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/plain"), Data("file\n".utf8))
        // A read-only folder (skipped as root, who may write anyway).
        if getuid() != 0 {
            try FileManager.default.createDirectory(atPath: dir + "/locked", withIntermediateDirectories: true)
            try AtomicWriter.write(Data("old\n".utf8), to: dir + "/locked/a.yaml")
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir + "/locked")
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/locked") }
            XCTAssertThrowsError(try AtomicWriter.write(Data("new\n".utf8), to: dir + "/locked/a.yaml"))
            XCTAssertEqual(FileManager.default.contents(atPath: dir + "/locked/a.yaml"), Data("old\n".utf8))
            XCTAssertEqual(try leftovers(dir + "/locked"), [])
        }
        XCTAssertEqual(try leftovers(dir), [])
    }

    func testConcurrentReadersNeverSeeAPartialFile() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/big.yaml"
        let versions = (0..<4).map { v in Data(repeating: UInt8(ascii: "a") + UInt8(v), count: 256 * 1024) }
        try AtomicWriter.write(versions[0], to: path)
        let done = expectation(description: "writers")
        done.expectedFulfillmentCount = 2
        let writers = DispatchQueue(label: "writers", attributes: .concurrent)
        for w in 0..<2 {
            writers.async {
                for i in 0..<20 { try? AtomicWriter.write(versions[(i + w) % versions.count], to: path) }
                done.fulfill()
            }
        }
        var reads = 0
        var torn = 0
        let deadline = Date().addingTimeInterval(30)
        while reads < 200, Date() < deadline {
            if let data = FileManager.default.contents(atPath: path) {
                reads += 1
                if !versions.contains(data) { torn += 1 }
            }
        }
        wait(for: [done], timeout: 60)
        XCTAssertEqual(torn, 0, "a reader saw a partially written file")
        XCTAssertTrue(versions.contains(try XCTUnwrap(FileManager.default.contents(atPath: path))))
        XCTAssertEqual(try leftovers(dir), [])
    }
}

private extension AtomicWriterTests {
    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("komply-write-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func permissions(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
    }

    /// Temporary files the writer would have left behind.
    func leftovers(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".komply-") }
    }

    func testDevicesAreWrittenThroughNotReplaced() throws {
        try AtomicWriter.write(Data("discarded\n".utf8), to: "/dev/null")
        var info = stat()
        XCTAssertEqual(stat("/dev/null", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "/dev/null must stay a character device")
    }
}
