import Foundation
import KomplyCore
import Mustache

/// The generator's templates: one per Kubernetes kind, built in or overridden from a folder.
public struct TemplateSet: Sendable {
    /// Kind → compiled template.
    private let templates: [String: MustacheTemplate]

    /// The templates embedded in the binary.
    public static let builtIn: TemplateSet = {
        do { return try TemplateSet(texts: BuiltInTemplates.files, origin: "built-in") } catch {
            // The embedded templates are tested; failing to compile them is a bug in this build.
            fatalError("built-in templates do not compile: \(error)")
        }
    }()

    /// Compiles templates from text (kind → template text).
    public init(texts: [String: String], origin: String) throws(GenerateError) {
        var compiled: [String: MustacheTemplate] = [:]
        for (kind, text) in texts {
            do { compiled[kind] = try MustacheTemplate(string: text) } catch {
                throw .template(name: "\(origin) \(kind)", problem: "\(error)")
            }
        }
        templates = compiled
    }

    /// The built-in templates with every `<Kind>.yaml.mustache` of `folder` over them.
    public static func overriding(with folder: String) throws(GenerateError) -> TemplateSet {
        var texts = BuiltInTemplates.files
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
        return try TemplateSet(texts: texts, origin: folder)
    }

    /// Renders a draft with its kind's template, then parses the result so nothing invalid is ever written.
    public func render(_ draft: ObjectDraft) throws(GenerateError) -> ValueTree {
        guard let template = templates[draft.kind] else {
            throw .template(name: draft.kind, problem: "no template for this kind")
        }
        var context: [String: Any] = [:]
        for (key, value) in draft.parts { context[key] = value.compactJSON }
        let text = template.render(context)
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
