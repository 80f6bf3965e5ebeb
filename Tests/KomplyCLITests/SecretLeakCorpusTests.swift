import Foundation
import KomplyCore
import XCTest

/// Every example and fixture app (awesome-compose, the docker-inspect samples, fixtures/generate,
/// fixtures/compose, fixtures/parity, fixtures/inspect) is generated and its output linted; no
/// distinctive secret value of the inputs may appear in any generated file, stdout or stderr.
final class SecretLeakCorpusTests: XCTestCase {
    func testNoInputSecretReachesAnyOutput() throws {
        let apps = try Self.apps()
        XCTAssertGreaterThan(apps.count, 50, "the corpus shrank")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("komply-corpus-secrets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        var checkedValues = 0
        for (index, app) in apps.enumerated() {
            let secrets = try Self.secretValues(of: app)
            checkedValues += secrets.count
            let target = out.appendingPathComponent("\(index)")
            let generate = try CLIHarness.run(["generate", app.argument, "-o", target.path], in: app.folder)
            XCTAssertEqual(generate.status, 0, "\(app.argument) in \(app.folder.path) does not generate")
            let lint = try CLIHarness.run(["lint", target.path, "--format", "text"], in: app.folder)
            var outputs = try Self.texts(under: target)
            outputs["generate output"] = generate.stdout + generate.stderr
            outputs["lint output"] = lint.stdout + lint.stderr
            for (name, text) in outputs {
                // The message names the variable, never the value: a failing run must not print it either.
                for (key, value) in secrets where text.contains(value) {
                    XCTFail("\(app.folder.lastPathComponent)/\(app.argument): \(name) holds the value of \(key)")
                }
            }
        }
        XCTAssertGreaterThan(checkedValues, 15, "too few secret values found in the inputs to prove anything")
    }
}

private extension SecretLeakCorpusTests {
    struct App {
        /// The folder komply runs in.
        let folder: URL
        /// What `komply generate` is given: `.` for a compose folder, the file name for a snapshot.
        let argument: String
    }

    static func apps() throws -> [App] {
        let repository = CLIHarness.repository
        let shared = repository.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        var apps: [App] = []
        for folder in [shared.appendingPathComponent("awesome-compose"), repository.appendingPathComponent("fixtures/parity")] {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            where !name.hasPrefix(".") && !name.hasPrefix("reject-") {
                let app = folder.appendingPathComponent(name)
                if isFolder(app) { apps.append(App(folder: app, argument: ".")) }
            }
        }
        let generate = repository.appendingPathComponent("fixtures/generate")
        for name in try FileManager.default.contentsOfDirectory(atPath: generate.path).sorted() {
            let input = generate.appendingPathComponent(name).appendingPathComponent("input")
            guard isFolder(input) else { continue }
            let snapshots = try FileManager.default.contentsOfDirectory(atPath: input.path).filter { $0.hasSuffix(".inspect.json") }
            apps += snapshots.isEmpty ? [App(folder: input, argument: ".")] : snapshots.sorted().map { App(folder: input, argument: $0) }
        }
        for name in ["extends", "full", "merge"] {
            apps.append(App(folder: repository.appendingPathComponent("fixtures/compose/\(name)"), argument: "."))
        }
        for folder in [shared.appendingPathComponent("docker-inspect"), repository.appendingPathComponent("fixtures/inspect")] {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".inspect.json") {
                apps.append(App(folder: folder, argument: name))
            }
        }
        return apps
    }

    static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The app's environment values (compose files, `.env` and env files, inspect `Config.Env`) and
    /// secret files that the detector calls secret, by name; only distinctive ones (not also an
    /// image, service or folder name, not a plain short word), so a hit is a leak.
    static func secretValues(of app: App) throws -> [String: String] {
        var candidates: [(String, String)] = []
        var names = Set([app.folder.lastPathComponent])
        if app.argument.hasSuffix(".json") {
            let data = try Data(contentsOf: app.folder.appendingPathComponent(app.argument))
            for container in (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? [] {
                let config = container["Config"] as? [String: Any]
                for entry in config?["Env"] as? [String] ?? [] {
                    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2 { candidates.append((parts[0], parts[1])) }
                }
                if let image = config?["Image"] as? String { names.insert(image) }
            }
        } else {
            let files = (FileManager.default.enumerator(atPath: app.folder.path)?.allObjects as? [String] ?? []).sorted()
            for file in files {
                let url = app.folder.appendingPathComponent(file)
                let base = url.lastPathComponent
                guard !isFolder(url), let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                if base == ".env" || base.hasSuffix(".env") {
                    for line in text.split(separator: "\n") {
                        let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                        if parts.count == 2 {
                            candidates.append((parts[0], parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))))
                        }
                    }
                } else if base.hasSuffix(".yaml") || base.hasSuffix(".yml") {
                    guard let document = try? YAMLLoader.parse(text, file: file).first?.valueTree() else { continue }
                    for service in document["services"]?.objectMembers ?? [] {
                        names.insert(service.key)
                        if let image = service.value["image"]?.stringValue { names.insert(image) }
                        candidates += environment(service.value["environment"])
                    }
                    for secret in document["secrets"]?.objectMembers ?? [] {
                        guard let path = secret.value["file"]?.stringValue,
                            let content = try? String(
                                contentsOf: url.deletingLastPathComponent().appendingPathComponent(path), encoding: .utf8)
                        else { continue }
                        candidates.append(("secret \(secret.key)", content.trimmingCharacters(in: .whitespacesAndNewlines)))
                    }
                }
            }
        }
        var result: [String: String] = [:]
        // A plain word (`secret`, `example`) also appears in comments and names; distinctive values have 8+ characters or a digit or sign.
        func distinctive(_ value: String) -> Bool {
            value.count >= 8 || value.count >= 5 && !value.allSatisfy(\.isLetter)
        }
        for (name, value) in candidates where distinctive(value) && !value.contains("$") && !value.contains("\n") {
            let isSecretFile = name.hasPrefix("secret ")
            guard isSecretFile || SecretDetector.reason(name: name, value: value) != nil else { continue }
            guard !names.contains(where: { $0.contains(value) }) else { continue }
            result[name] = value
        }
        return result
    }

    /// `environment` as a mapping or a `KEY=VALUE` list.
    static func environment(_ tree: ValueTree?) -> [(String, String)] {
        switch tree {
        case .object(let members)?:
            return members.compactMap { member in
                switch member.value {
                case .string(let text): return (member.key, text)
                case .int(let number): return (member.key, String(number))
                default: return nil
                }
            }
        case .array(let items)?:
            return items.compactMap { item in
                guard case .string(let entry) = item, let equals = entry.firstIndex(of: "=") else { return nil }
                return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
            }
        default: return []
        }
    }

    /// Every file under `folder` as text, by path.
    static func texts(under folder: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: folder.path)?.allObjects ?? [] {
            let url = folder.appendingPathComponent(path)
            guard !isFolder(url) else { continue }
            result[path] = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        }
        return result
    }
}
