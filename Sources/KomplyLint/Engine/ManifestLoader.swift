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

        /// Adds files' outcomes, in order.
        mutating func append(_ outcomes: [FileOutcome]) {
            for outcome in outcomes {
                objects.append(contentsOf: outcome.objects)
                if let problem = outcome.problem { problems.append(problem) }
                if let text = outcome.text {
                    files.append(outcome.name)
                    texts[outcome.name] = text
                }
            }
        }
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
        let slots = Slots<FileOutcome?>(count: files.count, initial: nil)
        DispatchQueue.concurrentPerform(iterations: files.count) { i in slots[i] = read(files[i], stdin: stdin) }
        var loaded = Loaded()
        loaded.append(slots.values.map { $0! })
        return loaded
    }

    /// What reading one file gave: its objects, or the problem that stopped it.
    struct FileOutcome: Sendable {
        /// The name findings use (`<stdin>` for `-`).
        let name: String
        let objects: [KubeObject]
        let problem: LintError?
        /// The text, when the file could be read.
        let text: String?
    }

    /// Reads and parses one file (`-` is standard input).
    static func read(_ file: String, stdin: (@Sendable () -> Data)?) -> FileOutcome {
        let name = file == "-" ? "<stdin>" : file
        do throws(CoreError) {
            let data: Data
            if file == "-" {
                data = stdin?() ?? FileHandle.standardInput.readDataToEndOfFile()
            } else {
                data = try YAMLLoader.read(path: file, displayName: file)
            }
            let text = String(decoding: data, as: UTF8.self)
            let (objects, problem) = checkedObjects(in: try YAMLLoader.parse(bytes: data, file: name))
            return FileOutcome(name: name, objects: objects, problem: problem, text: text)
        } catch {
            return FileOutcome(name: name, objects: [], problem: .core(error), text: nil)
        }
    }

    /// Parses in-memory sources.
    public static func load(sources: [ManifestSource]) -> Loaded {
        var loaded = Loaded()
        for source in sources {
            do {
                let (objects, problem) = checkedObjects(in: try YAMLLoader.parse(source.text, file: source.file))
                loaded.objects.append(contentsOf: objects)
                if let problem { loaded.problems.append(problem) }
                loaded.files.append(source.file)
                loaded.texts[source.file] = source.text
            } catch {
                loaded.problems.append(.core(error))
            }
        }
        return loaded
    }

    /// The Kubernetes objects among parsed documents: `List` items are expanded; documents without
    /// `apiVersion` and `kind` (and komply's or kustomize's own config files) are skipped, and so are
    /// objects whose `apiVersion`, `kind`, `metadata` or container lists have the wrong type.
    public static func objects(in documents: [Node]) -> [KubeObject] {
        checkedObjects(in: documents).objects
    }

    /// The objects among `documents`, and the first one left out because a field it must have has the
    /// wrong type (`kind: [Pod]`, `metadata: [x]`, `containers: {name: a}`): reported rather than
    /// passed as clean, since no rule can judge it and the API server would refuse it.
    static func checkedObjects(in documents: [Node]) -> (objects: [KubeObject], problem: LintError?) {
        var result: [KubeObject] = []
        var problem: LintError?
        for (index, document) in documents.enumerated() {
            guard document.mapping != nil, let kindNode = document["kind"], let apiVersionNode = document["apiVersion"] else {
                continue
            }
            if let wrong = malformed(document, kind: kindNode, apiVersion: apiVersionNode) {
                problem = problem ?? wrong
                continue
            }
            guard let kind = kindNode.scalar, let apiVersion = apiVersionNode.scalar else { continue }
            if apiVersion.hasPrefix("komply.dev/") || apiVersion.hasPrefix("kustomize.config.k8s.io/") { continue }
            if kind.hasSuffix("List"), let items = document["items"]?.sequence {
                let (listed, wrong) = checkedObjects(in: items)
                problem = problem ?? wrong
                result.append(contentsOf: listed.map { KubeObject(node: $0.node, documentIndex: index) })
                continue
            }
            let object = KubeObject(node: document, documentIndex: index)
            if let wrong = malformedContainers(object) {
                problem = problem ?? wrong
                continue
            }
            result.append(object)
        }
        return (result, problem)
    }

    /// A problem when `apiVersion` or `kind` is not a string or `metadata` is not a mapping.
    static func malformed(_ document: Node, kind: Node, apiVersion: Node) -> LintError? {
        for (key, node) in [("apiVersion", apiVersion), ("kind", kind)] where node.scalar == nil && !node.isNull {
            return .malformedObject(node.location, problem: "\(key) must be a string, found \(node.kindName)")
        }
        if let metadata = document["metadata"], metadata.mapping == nil, !metadata.isNull {
            return .malformedObject(metadata.location, problem: "metadata must be a mapping, found \(metadata.kindName)")
        }
        return nil
    }

    /// A problem when a pod spec's container list is not a list of mappings.
    static func malformedContainers(_ object: KubeObject) -> LintError? {
        guard let podSpec = object.podSpec else { return nil }
        for type in ContainerType.allCases {
            guard let list = podSpec[type.key], !list.isNull else { continue }
            guard let items = list.sequence else {
                return .malformedObject(
                    list.location, problem: "\(object.podSpecPath).\(type.key) must be a list of containers, found \(list.kindName)")
            }
            if let item = items.first(where: { $0.mapping == nil }) {
                return .malformedObject(
                    item.location,
                    problem: "each item of \(object.podSpecPath).\(type.key) must be a container mapping, found \(item.kindName)")
            }
        }
        return nil
    }
}
