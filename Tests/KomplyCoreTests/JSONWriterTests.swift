import Foundation
import XCTest

@testable import KomplyCore

/// `JSONWriter` must write exactly what `JSONEmitter` writes for the equivalent tree: empty and
/// nested containers, escaping, and long arrays written in parallel chunks.
final class JSONWriterTests: XCTestCase {
    /// Writes `tree` through the writer's piecewise calls (objects member by member, arrays item by item).
    static func write(_ tree: ValueTree, _ json: JSONWriter) {
        switch tree {
        case .object(let members):
            json.beginObject()
            for member in members {
                json.key(member.key)
                write(member.value, json)
            }
            json.endObject()
        case .array(let items): json.array(items) { item, json in write(item, json) }
        case .string(let text): json.string(text)
        case .int(let number): json.int(number)
        case .null: json.null()
        default: json.value(tree)
        }
    }

    func check(_ tree: ValueTree, file: StaticString = #filePath, line: UInt = #line) {
        for pretty in [true, false] {
            let json = JSONWriter(pretty: pretty)
            Self.write(tree, json)
            XCTAssertEqual(String(decoding: json.finish(), as: UTF8.self), JSONEmitter.emit(tree, pretty: pretty), file: file, line: line)
            XCTAssertEqual(
                JSONEmitter.emitData(tree, pretty: pretty), Data(JSONEmitter.emit(tree, pretty: pretty).utf8), file: file, line: line)
            // The pieces, written one after another, are the same bytes (none empty).
            let chunked = JSONWriter(pretty: pretty)
            Self.write(tree, chunked)
            let pieces = chunked.finishChunks()
            XCTAssertFalse(pieces.contains { $0.isEmpty }, file: file, line: line)
            XCTAssertEqual(Data(joining: pieces), Data(JSONEmitter.emit(tree, pretty: pretty).utf8), file: file, line: line)
            let emitted = JSONEmitter.emitChunks(tree, pretty: pretty)
            XCTAssertEqual(Data(joining: emitted), Data(JSONEmitter.emit(tree, pretty: pretty).utf8), file: file, line: line)
        }
    }

    /// Long arrays come back as their parallel pieces, not joined into one buffer.
    func testLongArraysComeBackInPieces() {
        let items: [ValueTree] = (0..<5003).map { .members([("i", .int($0))]) }
        let json = JSONWriter()
        json.beginObject()
        json.key("items")
        json.array(items) { item, json in Self.write(item, json) }
        json.endObject()
        let pieces = json.finishChunks()
        XCTAssertGreaterThan(pieces.count, 16)
        XCTAssertEqual(Data(joining: pieces), Data(JSONEmitter.emit(.members([("items", .array(items))])).utf8))
        XCTAssertGreaterThan(JSONEmitter.emitChunks(.members([("items", .array(items))])).count, 16)
    }

    func testSmallDocumentsMatchTheEmitter() {
        check(.object([]))
        check(.array([]))
        check(.members([("a", .object([])), ("b", .array([])), ("c", .null), ("d", .bool(true)), ("e", .double(1.5))]))
        check(
            .members([
                ("quote\"key", .string("line\nbreak\t\u{1}\u{7F} ünï ✓")),
                ("nested", .members([("x", .array([.int(-3), .members([("y", .string(""))]), .array([.null])]))])),
            ]))
    }

    func testLongArraysWrittenInChunksMatchTheEmitter() {
        for count in [JSONEmitter.parallelItems - 1, JSONEmitter.parallelItems, 5003] {
            let items: [ValueTree] = (0..<count).map { i in
                .members([("i", .int(i)), ("name", .string("item \(i) \"q\"")), ("tags", .array(i % 3 == 0 ? [] : [.string("t\(i)")]))])
            }
            check(.members([("version", .int(1)), ("items", .array(items)), ("after", .members([("n", .int(count))]))]))
        }
    }
}
