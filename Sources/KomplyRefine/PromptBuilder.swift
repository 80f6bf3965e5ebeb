import Foundation
import KomplyCore

/// One active policy rule as the prompt lists it.
public struct PolicyRuleSummary: Sendable, Hashable {
    /// The rule id (`run-as-root`).
    public var id: String
    /// Its one-line meaning.
    public var meaning: String

    /// Creates a summary.
    public init(id: String, meaning: String) {
        self.id = id
        self.meaning = meaning
    }
}

/// Builds the prompt for one service from what komply knows, with names and shapes but never a secret
/// value: secret-looking env values, connection strings, tokens and every ConfigMap value except the
/// runtime memory flags are replaced by a description of their shape before the text is rendered.
public struct PromptBuilder: Sendable {
    /// The templates.
    public var templates: PromptTemplates
    /// The active policy.
    public var rules: [PolicyRuleSummary]
    /// Put the schema in the system message (for servers without structured output).
    public var schemaInPrompt: Bool

    /// A builder.
    public init(templates: PromptTemplates = .builtIn, rules: [PolicyRuleSummary], schemaInPrompt: Bool) {
        self.templates = templates
        self.rules = rules
        self.schemaInPrompt = schemaInPrompt
    }

    /// The prompt for `draft`; `service` is the compose service as komply read it, `examples` the similar
    /// past deployments (one line each).
    public func prompt(for draft: ServiceDraft, service: ComposeService?, examples: [String] = []) -> Prompt {
        let system: [String: Any] = [
            "allowList": PatchValidator.allowList, "schemaInPrompt": schemaInPrompt,
            "schema": JSONEmitter.emit(PatchSchema.schema, pretty: false),
        ]
        let sizing: [[String: Any]] = draft.sizing.keys.sorted().compactMap { name in
            guard let r = draft.sizing[name] else { return nil }
            return [
                "container": name, "cpuRequest": r.cpuRequest.description, "cpuLimit": r.cpuLimit?.description ?? "none",
                "memoryRequest": r.memoryRequest.description, "memoryLimit": r.memoryLimit.description,
                "confidence": String(format: "%.2f", r.confidence), "reasons": r.reasons.map(Self.redacted),
            ]
        }
        let user: [String: Any] = [
            "app": draft.app, "service": draft.service, "rules": rules.map { ["id": $0.id, "meaning": Self.oneLine($0.meaning)] },
            "facts": Self.facts(draft, service), "sizing": sizing, "examples": examples.map(Self.redacted),
            "hasExamples": !examples.isEmpty,
            "draft": YAMLEmitter.emit(documents: Self.sanitized(draft.documents)).trimmingCharacters(in: .newlines),
        ]
        return Prompt(
            system: templates.system.render(system).trimmingCharacters(in: .whitespacesAndNewlines) + "\n",
            user: templates.user.render(user).trimmingCharacters(in: .whitespacesAndNewlines) + "\n")
    }

    /// The documents with every value that could be secret replaced by its shape; Secrets left out whole.
    public static func sanitized(_ documents: [ValueTree]) -> [ValueTree] {
        documents.compactMap { document in
            let kind = document["kind"]?.stringValue ?? ""
            if ["Secret", "ExternalSecret", "SealedSecret"].contains(kind) { return nil }
            if kind == "ConfigMap" {
                var document = document
                for section in ["data", "binaryData"] {
                    guard let members = document[section]?.objectMembers else { continue }
                    let shown = members.map { member -> ValueTree.Member in
                        let text = member.value.stringValue ?? ""
                        let keep =
                            PatchValidator.runtimeVariables.contains(member.key)
                            && SecretDetector.reason(name: member.key, value: text) == nil
                            && !SecretTaint.holdsMarkerCharacter(text)
                        return ValueTree.Member(key: member.key, value: .string(keep ? text : shape(text)))
                    }
                    document = document.setting(.object(shown), at: [.key(section)])
                }
                return scrub(document)
            }
            return scrub(document)
        }
    }
}

private extension PromptBuilder {
    /// Facts about the service as compose described it: names and shapes, no values.
    static func facts(_ draft: ServiceDraft, _ service: ComposeService?) -> [String] {
        var lines: [String] = []
        if let kind = draft.workloadKind { lines.append("workload: \(kind.rawValue)") }
        guard let service else { return lines }
        if let image = service.image { lines.append("image: \(redacted(image))") }
        let ports = service.ports.map { "\($0.target)/\($0.protocol)" } + service.expose.map { "\($0)" }
        if !ports.isEmpty { lines.append("ports: \(ports.joined(separator: ", "))") }
        if !service.environment.isEmpty {
            let described = service.environment.keys.sorted().map { name -> String in
                let value = service.environment[name] ?? nil
                if let reason = SecretDetector.reason(name: name, value: value) { return "\(name) (secret: \(reason))" }
                if PatchValidator.runtimeVariables.contains(name), let value, !SecretTaint.holdsMarkerCharacter(value) {
                    return "\(name)=\(value)"
                }
                return "\(name) (\(value.map(shape) ?? "from the shell"))"
            }
            lines.append("environment: \(described.joined(separator: ", "))")
        }
        if let test = service.healthcheck?.test, let mode = test.first {
            lines.append("healthcheck: \(mode) (\(test.count - 1) words; not shown)")
        }
        if let observed = service.komply.observed {
            lines.append(
                "observed peak: cpu \(String(format: "%.3f", observed.cpuCores)) cores, memory \(Quantity(bytes: Int(observed.memoryBytes))) over \(observed.samples) samples"
            )
        }
        if !service.volumes.isEmpty { lines.append("volumes: \(service.volumes.count)") }
        return lines
    }

    /// `text, 12 characters` or `empty`.
    static func shape(_ text: String) -> String {
        if text.isEmpty { return "empty" }
        if SecretTaint.holdsMarkerCharacter(text) { return "secret reference" }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        return lines > 1 ? "text, \(lines) lines" : "text, \(text.count) characters"
    }

    /// Every string in `tree` with a secret's shape (or a taint marker) replaced; env entries judged by name too.
    static func scrub(_ tree: ValueTree, key: String? = nil) -> ValueTree {
        switch tree {
        case .string(let text): return .string(redacted(text))
        case .array(let items): return .array(items.map { scrub($0) })
        case .object(let members):
            // An env entry: {name, value}.
            if let name = tree["name"]?.stringValue, let value = tree["value"]?.stringValue,
                SecretDetector.reason(name: name, value: value) != nil
            {
                return .object(
                    members.map { $0.key == "value" ? ValueTree.Member(key: "value", value: .string("<secret value withheld>")) : $0 })
            }
            return .object(members.map { ValueTree.Member(key: $0.key, value: scrub($0.value, key: $0.key)) })
        default: return tree
        }
    }

    /// `text`, or a description of it when it looks secret.
    static func redacted(_ text: String) -> String {
        if SecretTaint.holdsMarkerCharacter(text) { return "<secret reference>" }
        if let reason = SecretDetector.shapeReason(text, entropy: text.count >= 20 && !text.contains(" ")) {
            return "<withheld: \(reason)>"
        }
        return text
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    }
}
