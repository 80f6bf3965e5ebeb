import Foundation
import KomplyCore

/// A manifest file's text handed over in memory (the generator lints its output this way).
public struct ManifestSource: Sendable {
    /// The name findings use for the file.
    public var file: String
    /// The YAML or JSON text.
    public var text: String

    /// Creates a source.
    public init(file: String, text: String) {
        self.file = file
        self.text = text
    }
}

/// Finds manifest files and reads them into objects; a malformed file becomes a problem, not a stop.
public enum ManifestLoader {
    /// The outcome of reading inputs.
    public struct Loaded: Sendable {
        /// Objects in input order.
        public var objects: [KubeObject] = []
        /// Files that could not be read or parsed.
        public var problems: [LintError] = []
        /// Files read, in order.
        public var files: [String] = []
        /// The text of each file read (for excerpts and fixes).
        public var texts: [String: String] = [:]
    }

    /// Expands paths (files, folders searched recursively for .yaml/.yml/.json, `-` for stdin) to files.
    public static func expand(_ paths: [String]) throws(LintError) -> [String] {
        var files: [String] = []
        for path in paths {
            if path == "-" { files.append(path); continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missingPath(path) }
            guard isDirectory.boolValue else { files.append(path); continue }
            var found: [String] = []
            if let enumerator = FileManager.default.enumerator(atPath: path) {
                while let relative = enumerator.nextObject() as? String {
                    let name = (relative as NSString).lastPathComponent
                    if name.hasPrefix(".") { enumerator.skipDescendants(); continue }
                    guard [".yaml", ".yml", ".json"].contains(where: { name.hasSuffix($0) }) else { continue }
                    found.append(path == "." ? relative : (path as NSString).appendingPathComponent(relative))
                }
            }
            files.append(contentsOf: found.sorted())
        }
        var seen = Set<String>()
        return files.filter { seen.insert($0).inserted }
    }

    /// Reads files (in parallel) and returns their objects in input order.
    public static func load(files: [String], stdin: (@Sendable () -> Data)? = nil) -> Loaded {
        let slots = Slots<([KubeObject], LintError?, String?)>(count: files.count, initial: ([], nil, nil))
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let file = files[i]
            let result: ([KubeObject], LintError?, String?)
            do {
                let data: Data
                if file == "-" {
                    data = stdin?() ?? FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    data = try YAMLLoader.read(path: file, displayName: file)
                }
                let text = String(decoding: data, as: UTF8.self)
                let name = file == "-" ? "<stdin>" : file
                result = (try objects(in: YAMLLoader.parse(bytes: data, file: name)), nil, text)
            } catch let error as CoreError {
                result = ([], .core(error), nil)
            } catch {
                result = ([], .core(.unreadable(file: file, reason: "\(error)")), nil)
            }
            slots[i] = result
        }
        var loaded = Loaded()
        for (i, slot) in slots.values.enumerated() {
            loaded.objects.append(contentsOf: slot.0)
            if let problem = slot.1 { loaded.problems.append(problem) }
            if let text = slot.2 {
                let name = files[i] == "-" ? "<stdin>" : files[i]
                loaded.files.append(name)
                loaded.texts[name] = text
            }
        }
        return loaded
    }

    /// Parses in-memory sources.
    public static func load(sources: [ManifestSource]) -> Loaded {
        var loaded = Loaded()
        for source in sources {
            do {
                loaded.objects.append(contentsOf: objects(in: try YAMLLoader.parse(source.text, file: source.file)))
                loaded.files.append(source.file)
                loaded.texts[source.file] = source.text
            } catch {
                loaded.problems.append(.core(error))
            }
        }
        return loaded
    }

    /// The Kubernetes objects among parsed documents: `List` items are expanded; documents without
    /// `apiVersion` and `kind` (and komply's or kustomize's own config files) are skipped.
    public static func objects(in documents: [Node]) -> [KubeObject] {
        var result: [KubeObject] = []
        for (index, document) in documents.enumerated() {
            guard document.mapping != nil, let kind = document["kind"]?.scalar, let apiVersion = document["apiVersion"]?.scalar else {
                continue
            }
            if apiVersion.hasPrefix("komply.dev/") || apiVersion.hasPrefix("kustomize.config.k8s.io/") { continue }
            if kind.hasSuffix("List"), let items = document["items"]?.sequence {
                result.append(contentsOf: objects(in: items).map { KubeObject(node: $0.node, documentIndex: index) })
                continue
            }
            result.append(KubeObject(node: document, documentIndex: index))
        }
        return result
    }
}
