import Foundation
import KomplyCore

/// A Dockerfile read for what the built image inherits: its stages, each stage's base image, `USER` and `EXPOSE`.
///
/// Only the instructions that matter for image knowledge are kept; everything else is skipped. `ARG`
/// defaults declared before the first `FROM` (overridden by compose `build.args`) are substituted in
/// `FROM` lines (`FROM node:${NODE_VERSION}`, `${VAR:-default}`), and `--platform=` flags are ignored.
struct Dockerfile: Sendable, Equatable {
    /// One `FROM` and what follows it up to the next.
    struct Stage: Sendable, Equatable {
        /// The `AS` name, lowercased.
        var name: String?
        /// The base as written after variable substitution (`node:lts`, `builder`, `scratch`).
        var base: String
        /// The 1-based line of the `FROM`.
        var line: Int
        /// The last `USER` of the stage (`node`, `1000:1000`), if any.
        var user: String?
        /// `EXPOSE`d ports with their protocol.
        var ports: [ContainerExpose] = []
    }

    /// A port an `EXPOSE` names.
    struct ContainerExpose: Sendable, Equatable {
        var port: Int
        var proto: String
    }

    /// What the stage a build produces comes down to: the external image at the root of its `FROM` chain.
    struct BuiltImage: Sendable, Equatable {
        /// The external image the built stage starts from (`python:3.10-alpine`; `scratch` for none).
        var base: String
        /// The stage built (the `build.target`, else the last), by name when it has one.
        var stage: String?
        /// The line of the root `FROM` (the one naming `base`).
        var line: Int
        /// The effective `USER`: the last one along the chain from the root stage to the built one.
        var user: String?
        /// Ports `EXPOSE`d along the chain, root first.
        var ports: [ContainerExpose]
        /// The external bases of the stages the chain does not inherit from (builders whose files are copied in).
        var otherBases: [String]
    }

    /// The stages in file order.
    var stages: [Stage]

    /// Parses `text`; `arguments` are compose's `build.args`, which override `ARG` defaults.
    init(parsing text: String, arguments: [String: String] = [:]) {
        var defaults: [String: String] = [:]
        var stages: [Stage] = []
        for (line, words) in Self.instructions(text) {
            guard let instruction = words.first?.uppercased() else { continue }
            switch instruction {
            case "ARG" where stages.isEmpty:
                for word in words.dropFirst() {
                    let parts = word.split(separator: "=", maxSplits: 1)
                    let name = String(parts[0])
                    defaults[name] = arguments[name] ?? (parts.count > 1 ? Self.unquoted(String(parts[1])) : nil)
                }
            case "FROM":
                let args = words.dropFirst().filter { !$0.hasPrefix("--") }.map { Self.substitute($0, defaults) }
                let name = args.count >= 3 && args[args.startIndex + 1].uppercased() == "AS" ? args.last?.lowercased() : nil
                stages.append(Stage(name: name, base: args.first?.lowercased() ?? "", line: line))
            case "USER" where !stages.isEmpty:
                stages[stages.count - 1].user = words.dropFirst().first
            case "EXPOSE" where !stages.isEmpty:
                for word in words.dropFirst() {
                    let parts = word.split(separator: "/")
                    if let port = Int(parts[0]), (1...65535).contains(port) {
                        stages[stages.count - 1].ports.append(
                            ContainerExpose(port: port, proto: parts.count > 1 ? parts[1].lowercased() : "tcp"))
                    }
                }
            default: continue
            }
        }
        self.stages = stages
    }

    /// The image the build produces: the stage `target` names (else the last), followed down its `FROM` chain.
    func built(target: String?) -> BuiltImage? {
        guard var index = target.flatMap({ wanted in stages.lastIndex { $0.name == wanted.lowercased() } }) ?? stages.indices.last
        else { return nil }
        let built = index
        var chain: [Int] = []
        while !chain.contains(index) {
            chain.append(index)
            let base = stages[index].base
            guard let parent = stages[..<index].lastIndex(where: { $0.name == base }) else { break }
            index = parent
        }
        let root = stages[chain.last!]
        let external = stages.indices.filter { !chain.contains($0) }.map { stages[$0].base }
            .filter { base in !stages.contains { $0.name == base } }
        return BuiltImage(
            base: root.base, stage: stages[built].name, line: root.line,
            user: chain.compactMap { stages[$0].user }.first,
            ports: chain.reversed().flatMap { stages[$0].ports }, otherBases: external)
    }

    /// The Dockerfile of a service's build context (or its `build.dockerfile_inline`), read only inside the
    /// repository (links followed), at most 512 KiB; nil for remote contexts or when there is none.
    static func of(_ service: ComposeService, project: ComposeProject) -> (dockerfile: Dockerfile, file: String)? {
        let arguments = buildArguments(service)
        if let inline = service.build?["dockerfile_inline"]?.stringValue {
            return (Dockerfile(parsing: inline, arguments: arguments), "build.dockerfile_inline")
        }
        guard case .string(let context)? = service.build?["context"], let projectDirectory = project.projectDirectory,
            !context.contains("://"), !context.hasPrefix("git@")
        else { return nil }
        let name = service.build?["dockerfile"]?.stringValue ?? "Dockerfile"
        // Inside the repository only, links followed (the reader refused escapes already; this is the second lock).
        let path: String?
        if let root = project.repositoryRoot {
            path = (try? RepositoryRoot(root).resolve(context, from: projectDirectory, at: nil)).flatMap { directory in
                try? RepositoryRoot(root).resolve(name, from: directory, at: nil)
            }
        } else {
            path = projectDirectory + "/" + context + "/" + name
        }
        guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular, let size = attributes[.size] as? Int, size <= 512 << 10,
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        let shown = name.hasPrefix("/") ? name : Paths.normalized(context + "/" + name)
        return (Dockerfile(parsing: text, arguments: arguments), shown)
    }
}

private extension Dockerfile {
    /// Instructions with their line, continuation lines (`\` at the end) joined, comments left out.
    static func instructions(_ text: String) -> [(Int, [String])] {
        var result: [(Int, [String])] = []
        var pending: (line: Int, text: String)?
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") { continue }
            let continues = trimmed.hasSuffix("\\")
            let body = continues ? String(trimmed.dropLast()) : trimmed
            if var current = pending {
                current.text += " " + body
                pending = current
            } else {
                pending = (offset + 1, body)
            }
            if !continues, let done = pending {
                let words = done.text.split(whereSeparator: \.isWhitespace).map(String.init)
                if !words.isEmpty { result.append((done.line, words)) }
                pending = nil
            }
        }
        if let done = pending {
            let words = done.text.split(whereSeparator: \.isWhitespace).map(String.init)
            if !words.isEmpty { result.append((done.line, words)) }
        }
        return result
    }

    /// `$NAME`, `${NAME}` and `${NAME:-default}` replaced by the argument's value (empty when it has none).
    static func substitute(_ word: String, _ values: [String: String]) -> String {
        guard word.contains("$") else { return word }
        var result = ""
        var rest = Substring(word)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                if let range = inner.range(of: ":-") ?? inner.range(of: "-") {
                    let value = values[String(inner[..<range.lowerBound])] ?? ""
                    result += value.isEmpty ? String(inner[range.upperBound...]) : value
                } else {
                    result += values[String(inner)] ?? ""
                }
            } else {
                let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                rest = rest[name.endIndex...]
                result += values[String(name)] ?? ""
            }
        }
        return result + rest
    }

    static func unquoted(_ text: String) -> String {
        guard text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first else { return text }
        return String(text.dropFirst().dropLast())
    }

    /// Compose's `build.args`, as a mapping or a `NAME=value` list; names without a value are left out.
    static func buildArguments(_ service: ComposeService) -> [String: String] {
        var result: [String: String] = [:]
        switch service.build?["args"] {
        case .object(let members)?:
            for member in members { if let value = member.value.stringValue { result[member.key] = value } }
        case .array(let items)?:
            for item in items {
                guard let text = item.stringValue, let equals = text.firstIndex(of: "=") else { continue }
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
        default: break
        }
        return result
    }
}
