import Foundation
import XCTest

/// The module graph is the one docs/architecture.md draws: every `import` of every target is in
/// that target's row of the table, and features meet only through KomplyCore (the pipeline is the
/// one library that imports several features).
final class ImportGraphTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The features of DESIGN.md: each may import KomplyCore (and its own C modules), never another feature.
    static let features: Set<String> = [
        "KomplySources", "KomplyGenerate", "KomplyPredict", "KomplyRefine", "KomplyLint", "KomplyGit", "KomplyServe",
    ]

    func testEveryImportIsInTheDocumentedTable() throws {
        let allowed = try Self.documentedImports()
        let targets = try Self.targets()
        XCTAssertEqual(Set(allowed.keys), Set(targets), "docs/architecture.md's import table and Sources/ list different targets")
        for target in targets {
            for (file, module) in try Self.imports(of: target) where !(allowed[target] ?? []).contains(module) {
                XCTFail("Sources/\(target)/\(file) imports \(module), which docs/architecture.md does not allow \(target)")
            }
        }
    }

    func testFeaturesMeetOnlyThroughCore() throws {
        let ours = Set(try Self.targets())
        for (target, modules) in try Self.documentedImports() where Self.features.contains(target) {
            let reached = modules.intersection(ours).subtracting(["KomplyCore", "CGit2", "CGit2Shim"])
            XCTAssertEqual(reached, [], "\(target) may not import another feature; they meet through KomplyCore or KomplyPipeline")
        }
    }

    func testTheCheckerSeesImports() throws {
        // The parser must find real imports, or the tests above would pass vacuously.
        let imports = try Self.imports(of: "KomplyPipeline").map(\.module)
        XCTAssertTrue(imports.contains("KomplyGenerate") && imports.contains("KomplyLint"), "\(imports)")
    }
}

extension ImportGraphTests {
    /// The platform's own modules, which any target may import (`#if canImport` picks one).
    static let platform: Set<String> = ["Foundation", "FoundationNetworking", "Glibc", "Darwin", "Musl", "Dispatch"]

    /// Folders under Sources/, one per target.
    static func targets() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("Sources").path)
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Each `.swift` file's imported modules (`import X`, `@testable import X`, `public import X`,
    /// `import struct X.Y`…), as (file relative to the target, module).
    static func imports(of target: String) throws -> [(file: String, module: String)] {
        let folder = repository.appendingPathComponent("Sources/" + target)
        var found: [(String, String)] = []
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        for file in files.sorted() where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                var words = line.split(separator: " ").map(String.init)
                while let first = words.first, first.hasPrefix("@") || ["public", "package", "internal", "private"].contains(first) {
                    words.removeFirst()
                }
                guard words.first == "import", words.count >= 2 else { continue }
                let path =
                    words.count >= 3
                        && ["struct", "class", "enum", "func", "protocol", "typealias", "var", "let"]
                            .contains(words[1])
                    ? words[2] : words[1]
                found.append((file, String(path.split(separator: ".").first ?? "")))
            }
        }
        return found
    }

    /// The table between `<!-- import-graph -->` and `<!-- /import-graph -->` in docs/architecture.md:
    /// target → the modules it may import (backquoted names in the last column).
    static func documentedImports() throws -> [String: Set<String>] {
        let text = try String(contentsOf: repository.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        guard let start = text.range(of: "<!-- import-graph -->"), let end = text.range(of: "<!-- /import-graph -->") else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "docs/architecture.md has no import-graph table"])
        }
        var table: [String: Set<String>] = [:]
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let names = { (cell: String) in
                cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
                    String($0.element)
                }
            }
            guard let target = names(cells[1]).first else { continue }
            table[target] = Set(names(cells[cells.count - 2])).union(platform)
        }
        return table
    }
}
