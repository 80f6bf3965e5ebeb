import Foundation
import KomplyCore
import Mustache

/// The generator's templates: one per Kubernetes kind, built in, with the user's templates merged over them.
///
/// A built-in template renders komply's object from its parts. A user's template (`--templates DIR`)
/// gets the same parts and renders a mapping that is deep-merged over that object: its keys add to or
/// replace komply's, mappings merge key by key, sequences and scalars replace, and `null` removes a key.
/// `templates/README.md` documents it for users.
public struct TemplateSet: Sendable {
    /// Kind → compiled built-in template (komply's object).
    private let templates: [String: MustacheTemplate]
    /// Kind → compiled user template, rendered and merged over komply's object.
    private let overrides: [String: MustacheTemplate]

    /// The templates embedded in the binary.
    public static let builtIn: TemplateSet = {
        do { return try TemplateSet(texts: BuiltInTemplates.files, origin: "built-in") } catch {
            // The embedded templates are tested; failing to compile them is a bug in this build.
            fatalError("built-in templates do not compile: \(error)")
        }
    }()

    /// Compiles templates from text (kind → template text).
    public init(texts: [String: String], origin: String) throws(GenerateError) {
        templates = try Self.compile(texts, origin: origin)
        overrides = [:]
    }

    /// The built-in templates with every `<Kind>.yaml.mustache` of `folder` merged over them.
    public static func overriding(with folder: String) throws(GenerateError) -> TemplateSet {
        var texts: [String: String] = [:]
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw .template(name: folder, problem: "cannot read the templates folder: \(error.localizedDescription)")
        }
        for name in names where name.hasSuffix(".yaml.mustache") {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw .template(name: path, problem: "not readable UTF-8 text")
            }
            // Without this pragma swift-mustache HTML-escapes values, which would corrupt YAML.
            texts[String(name.dropLast(".yaml.mustache".count))] =
                text.hasPrefix("{{% CONTENT_TYPE: TEXT}}") ? text : "{{% CONTENT_TYPE: TEXT}}\n" + text
        }
        return TemplateSet(templates: builtIn.templates, overrides: try compile(texts, origin: folder))
    }

    /// Renders a draft with its kind's template (and the user's over it), parsed so nothing invalid is ever written.
    public func render(_ draft: ObjectDraft) throws(GenerateError) -> ValueTree {
        let override = overrides[draft.kind]
        guard let template = templates[draft.kind] ?? override else {
            throw .template(name: draft.kind, problem: "no template for this kind")
        }
        var context: [String: Any] = [:]
        for (key, value) in draft.parts { context[key] = value.compactJSON }
        let object = try Self.mapping(template.render(context), of: draft)
        guard let override, templates[draft.kind] != nil else { return object }
        return object.mergingTemplate(try Self.mapping(override.render(context), of: draft))
    }
}

private extension TemplateSet {
    /// A set from compiled templates.
    init(templates: [String: MustacheTemplate], overrides: [String: MustacheTemplate]) {
        self.templates = templates
        self.overrides = overrides
    }

    /// Compiles template texts, naming the one that does not compile.
    static func compile(_ texts: [String: String], origin: String) throws(GenerateError) -> [String: MustacheTemplate] {
        var compiled: [String: MustacheTemplate] = [:]
        for (kind, text) in texts {
            do { compiled[kind] = try MustacheTemplate(string: text) } catch {
                throw .template(name: "\(origin) \(kind)", problem: "\(error)")
            }
        }
        return compiled
    }

    /// The one mapping a rendered template holds, or an error naming the template.
    static func mapping(_ text: String, of draft: ObjectDraft) throws(GenerateError) -> ValueTree {
        let documents: [Node]
        do { documents = try YAMLLoader.parse(text, file: "\(draft.kind) template") } catch {
            throw .template(name: draft.kind, problem: "rendered invalid YAML for \(draft.name): \(error.localizedDescription)")
        }
        guard documents.count == 1, let document = documents.first, document.mapping != nil else {
            throw .template(name: draft.kind, problem: "must render exactly one mapping document, rendered \(documents.count)")
        }
        return document.valueTree(schema: .core)
    }
}

extension ValueTree {
    /// This object with a user template's object merged over it: mappings merge key by key (existing keys
    /// keep their place, new ones are appended), `null` removes a key, anything else replaces.
    func mergingTemplate(_ patch: ValueTree) -> ValueTree {
        guard case .object(var members) = self, case .object(let changes) = patch else { return patch }
        for change in changes {
            let index = members.firstIndex { $0.key == change.key }
            switch (index, change.value) {
            case (let index?, .null): members.remove(at: index)
            case (nil, .null): continue
            case (let index?, let value): members[index].value = members[index].value.mergingTemplate(value)
            case (nil, _): members.append(change)
            }
        }
        return .object(members)
    }
}
