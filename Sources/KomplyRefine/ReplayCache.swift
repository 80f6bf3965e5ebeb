import Foundation
import KomplyCore

/// Answers recorded under `.komply/llm-cache/<key>.json`, keyed by the SHA-256 of provider, model,
/// dialect, prompt and schema, so CI replays without a network and reruns are byte-identical. The files
/// are deterministic JSON (sorted keys, no time stamps) and safe to commit: prompts hold no secret values.
public struct ReplayCache: Sendable {
    /// The folder.
    public var directory: String

    /// A cache in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The key of `prompt` asked of `settings`' provider, model and dialect (the URL and the key are not in it:
    /// a local server and CI replaying its answers share entries).
    public static func key(_ prompt: Prompt, settings: RefineSettings) -> String {
        let material: ValueTree = .members([
            ("version", .int(1)), ("provider", .string(settings.provider.rawValue)), ("model", .string(settings.model)),
            ("dialect", .string(settings.dialect.rawValue)), ("system", .string(prompt.system)), ("user", .string(prompt.user)),
            ("schema", PatchSchema.schema(for: settings)),
        ])
        return SHA256.hex(JSONEmitter.emit(material, pretty: false))
    }

    /// The file of `key`.
    public func path(for key: String) -> String { directory + "/" + key + ".json" }

    /// The recorded answer for `key`, nil when there is none.
    public func answer(for key: String) throws(RefineError) -> String? {
        let path = path(for: key)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let tree = JSONValue.parse(data) else {
            throw .corruptCache(path: path, reason: "not JSON")
        }
        guard tree["key"]?.stringValue == key, let answer = tree["answer"]?.stringValue else {
            throw .corruptCache(path: path, reason: "expected {key, answer} with key \(key)")
        }
        return answer
    }

    /// Records `answer` for `key` (written to a temporary file, then renamed).
    public func record(_ answer: String, for key: String, settings: RefineSettings) throws(RefineError) {
        let entry: ValueTree = .members([
            ("answer", .string(answer)), ("dialect", .string(settings.dialect.rawValue)), ("key", .string(key)),
            ("model", .string(settings.model)), ("provider", .string(settings.provider.rawValue)), ("version", .int(1)),
        ])
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try AtomicWriter.write(Data((JSONEmitter.emit(entry) + "\n").utf8), to: path(for: key))
        } catch {
            throw .corruptCache(path: path(for: key), reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
