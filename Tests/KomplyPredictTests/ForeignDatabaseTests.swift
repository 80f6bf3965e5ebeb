import Foundation
import GRDB
import XCTest

@testable import KomplyPredict

/// A SQLite file komply did not create, given as `--history`, is refused before anything is written
/// (no komply tables added, no switch to WAL): nothing a user had is changed.
final class ForeignDatabaseTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("komply-foreign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testAForeignDatabaseIsRefusedByteIdentical() throws {
        let path = folder.appendingPathComponent("crm.sqlite").path
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "CREATE TABLE customers (id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'a')")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try HistoryStore.open(path: path)) { error in
            XCTAssertTrue(error.localizedDescription.contains("not a komply history file (it holds the tables customers)"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    func testNewEmptyAndKomplyFilesOpen() throws {
        let created = folder.appendingPathComponent("history.sqlite").path
        try HistoryStore.open(path: created).write(HistoryBatch())
        XCTAssertNoThrow(try HistoryStore.open(path: created), "komply's own file reopens")
        let empty = folder.appendingPathComponent("empty.sqlite").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        XCTAssertNoThrow(try HistoryStore.open(path: empty), "an empty file is a new store")
    }
}
