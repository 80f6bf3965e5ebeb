import Foundation
import KomplyCore

/// Lints what each kustomize overlay among the linted files renders, so a generated tree's environments
/// are held to the policy too (an overlay that sets 1 replica, `latest` images or scaled-down resources).
///
/// An overlay is rendered in-process with the transforms komply itself writes: `namespace`, `replicas`,
/// `images` and JSON 6902 `patches` (`add`, `replace`, `remove`) that target a kind and name. Its
/// `resources` are files or kustomize folders, taken from the linted files or read from disk inside the
/// repository around the current folder (the current folder outside one); a resource elsewhere, or
/// reached through a link leading out, leaves the overlay unrendered. An overlay using anything else (strategic-merge patches, generators, components, remote bases…) is not
/// rendered; `kustomize build DIR | komply lint -` covers those.
///
/// Only what the overlay changes is reported: the findings of the rendered overlay that its resources
/// rendered without the overlay's own transforms do not have (by rule, object kind and name,
/// container). Each is placed on the overlay line that causes it (the patch, replicas or image entry
/// for that object, else `namespace`) and names the environment.
public enum OverlayLint {
    /// The message suffix naming the overlay.
    static let suffix = " (as overlay \"%@\" renders it)"

    /// `result` with the findings of every renderable overlay among its files added, sorted as the linter sorts.
    public static func adding(to result: Linter.Result, linter: Linter) -> Linter.Result {
        run(on: result, linter: linter).result
    }

    /// Like `adding`, and counts the overlays rendered (an overlay holds no object itself, yet was linted).
    public static func run(on result: Linter.Result, linter: Linter) -> (result: Linter.Result, overlays: Int) {
        let (added, overlays) = render(result, linter: linter)
        guard !added.isEmpty else { return (result, overlays) }
        var copy = result
        copy.findings = (result.findings + added).sorted { a, b in
            if a.location.file != b.location.file { return a.location.file < b.location.file }
            let (p, q) = (a.location.range?.start, b.location.range?.start)
            if let p, let q, p != q { return p < q }
            return a.ruleID < b.ruleID
        }
        return (copy, overlays)
    }

    /// The objects the kustomization `file` renders (the transforms above), its resources read from `texts`
    /// (path → text) before the disk; nil when it is no overlay or uses something this renderer does not.
    package static func renderedObjects(of file: String, texts: [String: String]) -> [ValueTree]? {
        rendering(of: file, texts: texts)?.objects
    }

    /// Like `renderedObjects`, with the files its resources were read from (the names in `texts`, else the
    /// absolute path read from disk), nested kustomizations included: `lint --summary` counts those files
    /// through the overlay rather than once more on their own.
    package static func rendering(of file: String, texts: [String: String]) -> (objects: [ValueTree], files: Set<String>)? {
        let current = FileManager.default.currentDirectoryPath
        let files = Dictionary(texts.keys.map { (absolute($0, current), $0) }, uniquingKeysWith: { a, _ in a })
        let bound = Paths.canonical(RepositoryRoot.enclosing(current)?.path ?? current)
        let renderer = Renderer(texts: texts, files: files, current: current, bound: bound)
        guard let text = texts[file], let root = try? YAMLLoader.parse(text, file: file).first,
            let overlay = Overlay(root: root, file: file), overlay.isOverlay,
            let resources = renderer.resources(of: overlay, depth: 0), let objects = overlay.apply(to: resources)
        else { return nil }
        return (objects, renderer.visited.names)
    }

    /// The findings each overlay adds, on the overlay's own lines.
    public static func findings(in result: Linter.Result, linter: Linter) -> [Finding] {
        render(result, linter: linter).findings
    }
}

private extension OverlayLint {
    static func render(_ result: Linter.Result, linter: Linter) -> (findings: [Finding], overlays: Int) {
        // Most runs hold no kustomization: nothing to index.
        guard result.files.contains(where: isKustomization) else { return ([], 0) }
        let current = FileManager.default.currentDirectoryPath
        let files = Dictionary(result.texts.keys.map { (absolute($0, current), $0) }, uniquingKeysWith: { a, _ in a })
        let bound = Paths.canonical(RepositoryRoot.enclosing(current)?.path ?? current)
        var overlays = 0
        var found: [Finding] = []
        for file in result.files.sorted() where isKustomization(file) {
            guard let text = result.texts[file], let root = try? YAMLLoader.parse(text, file: file).first,
                let overlay = Overlay(root: root, file: file), overlay.isOverlay
            else { continue }
            let renderer = Renderer(texts: result.texts, files: files, current: current, bound: bound)
            guard let resources = renderer.resources(of: overlay, depth: 0) else { continue }
            guard let rendered = overlay.apply(to: resources) else { continue }
            overlays += 1
            let name = (((file as NSString).deletingLastPathComponent) as NSString).lastPathComponent
            let before = linter.lint(sources: [ManifestSource(file: file + "#resources", text: YAMLEmitter.emit(documents: resources))])
            let after = linter.lint(sources: [ManifestSource(file: file + "#rendered", text: YAMLEmitter.emit(documents: rendered))])
            let known = Set(before.findings.map(key))
            for finding in after.findings where !known.contains(key(finding)) {
                var moved = finding
                moved.location = overlay.location(for: finding)
                moved.message = finding.message + suffix.replacingOccurrences(of: "%@", with: name)
                moved.fix = nil
                found.append(moved)
            }
        }
        return (found, overlays)
    }

    /// `path` absolute and normalized (relative paths start at `current`).
    static func absolute(_ path: String, _ current: String) -> String {
        Paths.normalized(path.hasPrefix("/") ? path : current + "/" + path)
    }

    static func isKustomization(_ file: String) -> Bool {
        ["kustomization.yaml", "kustomization.yml"].contains((file as NSString).lastPathComponent)
    }

    /// What makes a finding the same in an overlay and in its resources (namespaces and lines differ).
    static func key(_ finding: Finding) -> String {
        [finding.ruleID, finding.object.kind, finding.object.name, finding.container ?? ""].joined(separator: "\u{1}")
    }

    /// One kustomization's supported transforms, with where each is written.
    struct Overlay {
        static let supported: Set<String> = [
            "apiVersion", "kind", "namespace", "resources", "images", "replicas", "patches", "labels", "commonLabels",
        ]
        static let clusterScoped: Set<String> = [
            "Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "CustomResourceDefinition",
            "PriorityClass", "IngressClass", "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "APIService",
        ]
        static let scalable: Set<String> = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]

        let root: Node
        let file: String
        var resources: [String] = []

        init?(root: Node, file: String) {
            guard let pairs = root.mapping, pairs.allSatisfy({ Self.supported.contains($0.key.scalar ?? "") }) else { return nil }
            self.root = root
            self.file = file
            for item in root["resources"]?.sequence ?? [] {
                guard let path = item.scalar else { return nil }
                resources.append(path)
            }
            for patch in root["patches"]?.sequence ?? [] {
                // Only inline JSON 6902 patches aimed at a kind and name.
                guard patch["path"] == nil, patch["target"]?["kind"]?.scalar != nil, patch["target"]?["name"]?.scalar != nil,
                    patch["patch"]?.scalar != nil
                else { return nil }
            }
        }

        /// Whether it transforms what it includes (a base only lists files).
        var isOverlay: Bool { ["namespace", "images", "replicas", "patches"].contains { root[$0] != nil } }

        /// The objects with this kustomization's transforms applied; nil when a patch cannot be applied.
        func apply(to objects: [ValueTree]) -> [ValueTree]? {
            var objects = objects
            if let namespace = root["namespace"]?.scalar {
                for index in objects.indices where !Self.clusterScoped.contains(objects[index]["kind"]?.stringValue ?? "") {
                    Tree.set(&objects[index], ["metadata", "namespace"], .string(namespace))
                }
            }
            for entry in root["replicas"]?.sequence ?? [] {
                guard let name = entry["name"]?.scalar, case .int(let count)? = entry["count"]?.resolved() else { continue }
                for index in objects.indices
                where objects[index]["metadata"]?["name"]?.stringValue == name
                    && Self.scalable.contains(objects[index]["kind"]?.stringValue ?? "")
                {
                    Tree.set(&objects[index], ["spec", "replicas"], .int(count))
                }
            }
            for entry in root["images"]?.sequence ?? [] {
                guard let name = entry["name"]?.scalar else { continue }
                for index in objects.indices {
                    Tree.rewriteImages(
                        &objects[index], name: name, newName: entry["newName"]?.scalar, newTag: entry["newTag"]?.scalar,
                        digest: entry["digest"]?.scalar)
                }
            }
            for patch in root["patches"]?.sequence ?? [] {
                guard let kind = patch["target"]?["kind"]?.scalar, let name = patch["target"]?["name"]?.scalar,
                    let text = patch["patch"]?.scalar, let operations = try? YAMLLoader.parse(text, file: file).first?.valueTree(),
                    case .array(let list) = operations
                else { return nil }
                for index in objects.indices
                where objects[index]["kind"]?.stringValue == kind && objects[index]["metadata"]?["name"]?.stringValue == name {
                    for operation in list {
                        guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue, path.hasPrefix("/")
                        else { return nil }
                        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
                            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                        }
                        switch op {
                        case "add", "replace": Tree.set(&objects[index], segments, operation["value"] ?? .null)
                        case "remove": Tree.remove(&objects[index], segments)
                        default: return nil
                        }
                    }
                }
            }
            return objects
        }

        /// Where a finding about the rendered object belongs in the overlay: for an image finding, the
        /// `images` entry of that image; for a replica count, the `replicas` entry of the object; else the patch
        /// or `replicas` entry for the object, else `namespace`, else the file's start.
        func location(for finding: Finding) -> SourceLocation {
            let object = finding.object
            let replicas = root["replicas"]?.sequence?.first { $0["name"]?.scalar == object.name }
            if finding.path.lowercased().contains("image"), let images = root["images"]?.sequence {
                let named = images.first { entry in
                    let target = entry["newName"]?.scalar ?? entry["name"]?.scalar ?? "\u{0}"
                    return ["\"\(target):", "\"\(target)@", "\"\(target)\""].contains { finding.message.contains($0) }
                }
                if let entry = named ?? images.first { return entry.location }
            }
            if finding.path.contains("eplicas"), let replicas { return replicas.location }
            for patch in root["patches"]?.sequence ?? []
            where patch["target"]?["kind"]?.scalar == object.kind && patch["target"]?["name"]?.scalar == object.name {
                return patch.location
            }
            if let replicas { return replicas.location }
            return (root.pair("namespace")?.key ?? root).location
        }
    }

    /// Reads resources from the linted texts, else from disk inside `bound`.
    struct Renderer {
        let texts: [String: String]
        /// Absolute normalized path → the name the linter used.
        let files: [String: String]
        let current: String
        /// The real folder resources may be read from (the repository, else the current folder).
        let bound: String
        /// The files read so far.
        let visited = Visited()

        /// The names of the files a renderer has read.
        final class Visited {
            var names: Set<String> = []
        }

        /// The objects a kustomization's resources render to (nested kustomize folders with their own
        /// transforms); nil when one cannot be read or rendered.
        func resources(of overlay: Overlay, depth: Int) -> [ValueTree]? {
            guard depth < 8 else { return nil }
            let folder = (OverlayLint.absolute(overlay.file, current) as NSString).deletingLastPathComponent
            var objects: [ValueTree] = []
            for resource in overlay.resources {
                let path = OverlayLint.absolute(resource.hasPrefix("/") ? resource : folder + "/" + resource, current)
                if let (name, text) = read(path), let documents = try? YAMLLoader.parse(text, file: name) {
                    objects += documents.filter { $0.mapping != nil }.map { $0.valueTree() }
                } else if let (name, text) = read(path + "/kustomization.yaml") ?? read(path + "/kustomization.yml"),
                    let root = try? YAMLLoader.parse(text, file: name).first, let nested = Overlay(root: root, file: name),
                    let inner = resources(of: nested, depth: depth + 1), let applied = nested.apply(to: inner)
                {
                    objects += applied
                } else {
                    return nil
                }
            }
            return objects
        }

        /// A file's name and text: a linted one, else a regular file whose real path lies inside `bound`.
        func read(_ path: String) -> (String, String)? {
            if let name = files[path], let text = texts[name] {
                visited.names.insert(name)
                return (name, text)
            }
            let real = Paths.canonical(path)
            guard real == bound || real.hasPrefix(bound.hasSuffix("/") ? bound : bound + "/"),
                YAMLLoader.specialFileKind(real) == nil,
                let attributes = try? FileManager.default.attributesOfItem(atPath: real),
                attributes[.type] as? FileAttributeType == .typeRegular, (attributes[.size] as? Int ?? 0) <= 16 << 20,
                let data = FileManager.default.contents(atPath: real)
            else { return nil }
            visited.names.insert(path)
            return (path, String(decoding: data, as: UTF8.self))
        }
    }

    /// Edits of value trees by path (mapping keys and list indexes).
    enum Tree {
        static func set(_ tree: inout ValueTree, _ path: some Collection<String>, _ value: ValueTree) {
            guard let head = path.first else {
                tree = value
                return
            }
            let rest = path.dropFirst()
            switch tree {
            case .object(var members):
                if let index = members.firstIndex(where: { $0.key == head }) {
                    set(&members[index].value, rest, value)
                } else {
                    var child = ValueTree.object([])
                    set(&child, rest, value)
                    members.append(ValueTree.Member(key: head, value: child))
                }
                tree = .object(members)
            case .array(var items):
                if head == "-" {
                    var child = ValueTree.object([])
                    set(&child, rest, value)
                    items.append(child)
                } else if let index = Int(head), items.indices.contains(index) {
                    set(&items[index], rest, value)
                }
                tree = .array(items)
            default:
                var child = ValueTree.object([])
                set(&child, path, value)
                tree = child
            }
        }

        static func remove(_ tree: inout ValueTree, _ path: some Collection<String>) {
            guard let head = path.first else { return }
            let rest = path.dropFirst()
            switch tree {
            case .object(var members):
                guard let index = members.firstIndex(where: { $0.key == head }) else { return }
                if rest.isEmpty { members.remove(at: index) } else { remove(&members[index].value, rest) }
                tree = .object(members)
            case .array(var items):
                guard let index = Int(head), items.indices.contains(index) else { return }
                if rest.isEmpty { items.remove(at: index) } else { remove(&items[index], rest) }
                tree = .array(items)
            default:
                return
            }
        }

        /// Rewrites every container image whose repository is `name`, as kustomize's `images` does.
        static func rewriteImages(_ tree: inout ValueTree, name: String, newName: String?, newTag: String?, digest: String?) {
            switch tree {
            case .object(var members):
                for index in members.indices {
                    if members[index].key == "image", case .string(let image) = members[index].value {
                        let (repository, reference) = split(image)
                        guard repository == name else { continue }
                        let target = newName ?? repository
                        members[index].value = .string(
                            digest.map { "\(target)@\($0)" } ?? newTag.map { "\(target):\($0)" } ?? target + reference)
                    } else {
                        rewriteImages(&members[index].value, name: name, newName: newName, newTag: newTag, digest: digest)
                    }
                }
                tree = .object(members)
            case .array(var items):
                for index in items.indices {
                    rewriteImages(&items[index], name: name, newName: newName, newTag: newTag, digest: digest)
                }
                tree = .array(items)
            default:
                return
            }
        }

        /// An image's repository and the rest (`:tag`, `@digest` or empty).
        static func split(_ image: String) -> (String, String) {
            if let at = image.firstIndex(of: "@") { return (String(image[..<at]), String(image[at...])) }
            let slash = image.lastIndex(of: "/") ?? image.startIndex
            if let colon = image[slash...].lastIndex(of: ":") { return (String(image[..<colon]), String(image[colon...])) }
            return (image, "")
        }
    }
}
