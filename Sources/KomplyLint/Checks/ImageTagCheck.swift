import KomplyCore

/// Checks image references: `mode: latest` flags the `latest` tag; `mode: missing` flags images with
/// neither a tag nor a digest (which pull `latest`); `mode: digest` flags images not pinned by digest.
public struct ImageTagCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// What to flag.
        public var mode: Mode
    }

    /// Modes.
    public enum Mode: String, Decodable, Sendable { case latest, missing, digest }

    public static let name = "ImageTag"
    static let latest = "uses image %@ with the mutable latest tag"
    static let missing = "uses image %@ without a tag, which pulls latest"
    static let digest = "uses image %@ not pinned by digest"
    let mode: Mode

    public init(parameters: Parameters) { mode = parameters.mode }

    public var needsPodSpec: Bool { true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        context.containers(of: object).compactMap { container -> Violation? in
            guard let pair = container.node.pair("image"), let image = pair.value.scalar, !image.isEmpty else { return nil }
            let reference = Self.parse(image)
            let template: String
            switch mode {
            case .latest:
                guard reference.tag == "latest" else { return nil }
                template = Self.latest
            case .missing:
                guard reference.tag == nil, reference.digest == nil else { return nil }
                template = Self.missing
            case .digest:
                guard reference.digest == nil else { return nil }
                template = Self.digest
            }
            return Violation(
                range: CheckSupport.range(pair), file: object.file,
                message: context.message(template).replacingPlaceholders(with: "\"\(image)\""),
                container: container.name, path: "\(container.path).image", fix: nil)
        }
    }

    /// Splits `registry:5000/team/app:1.2@sha256:…` into tag and digest.
    static func parse(_ image: String) -> (tag: String?, digest: String?) {
        // ASCII references (all real ones) are split byte by byte; an ASCII character is a whole
        // Character, so the result is what the Character search below gives, only faster.
        guard image.utf8.allSatisfy({ $0 < 0x80 }) else { return parseCharacters(image) }
        let bytes = Array(image.utf8)
        var end = bytes.count
        var digest: String?
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            // Only a real content digest (`sha256:<hex>`) pins an image; `name@latest` does not.
            let text = String(decoding: bytes[(at + 1)...], as: UTF8.self)
            digest = CheckSupport.fullMatch("[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}", text) ? text : nil
            end = at
        }
        let start = bytes[..<end].lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        guard let colon = bytes[start..<end].lastIndex(of: UInt8(ascii: ":")) else { return (nil, digest) }
        return (String(decoding: bytes[(colon + 1)..<end], as: UTF8.self), digest)
    }

    /// `parse` for references with non-ASCII characters, searching Characters.
    static func parseCharacters(_ image: String) -> (tag: String?, digest: String?) {
        var name = Substring(image)
        var digest: String?
        if let at = name.firstIndex(of: "@") {
            let text = String(name[name.index(after: at)...])
            digest = CheckSupport.fullMatch("[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}", text) ? text : nil
            name = name[..<at]
        }
        let last = name.split(separator: "/", omittingEmptySubsequences: false).last ?? name
        guard let colon = last.lastIndex(of: ":") else { return (nil, digest) }
        return (String(last[last.index(after: colon)...]), digest)
    }
}
