import Foundation
import KomplyCore
import Mustache

/// The prompt's two templates (`refine-system.txt.mustache`, `refine-user.txt.mustache`): the built-in ones,
/// or a user's from the `--templates` folder, which replace them whole.
public struct PromptTemplates: Sendable {
    /// The system message's template.
    let system: MustacheTemplate
    /// The user message's template.
    let user: MustacheTemplate

    /// The built-in templates of templates/.
    public static let builtIn: PromptTemplates = {
        do {
            return try PromptTemplates(
                system: MustacheTemplate(string: BuiltInPromptTemplates.files["refine-system"]!),
                user: MustacheTemplate(string: BuiltInPromptTemplates.files["refine-user"]!))
        } catch {
            fatalError("built-in prompt template does not compile: \(error)")
        }
    }()

    /// The built-in templates with those `folder` holds put in their place.
    public static func overriding(with folder: String?) throws(RefineError) -> PromptTemplates {
        guard let folder else { return .builtIn }
        var result = builtIn
        for name in ["refine-system", "refine-user"] {
            let path = folder + "/" + name + ".txt.mustache"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            var text = String(decoding: data, as: UTF8.self)
            // Without this pragma swift-mustache HTML-escapes values (`&` in a reason becomes `&amp;`).
            if !text.hasPrefix("{{% CONTENT_TYPE: TEXT}}") { text = "{{% CONTENT_TYPE: TEXT}}\n" + text }
            do {
                let template = try MustacheTemplate(string: text)
                if name == "refine-system" {
                    result = PromptTemplates(system: template, user: result.user)
                } else {
                    result = PromptTemplates(system: result.system, user: template)
                }
            } catch {
                throw .invalidConfig(SourceLocation(file: path), expected: "a mustache template (\(error))")
            }
        }
        return result
    }
}
