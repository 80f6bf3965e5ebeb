import Foundation
import KomplyCore

/// Flags plaintext secrets: `target: env` checks container `env[].value`, `target: configMap`
/// checks ConfigMap `data`. A value is flagged when its name looks secret (`namePattern`) and it
/// is a non-empty literal, or when the value itself has a known credential shape.
public struct SecretValueCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Where to look.
        public var target: Target
        /// Names that hold secrets (case-insensitive regex searched in the name).
        public var namePattern: String?
        /// Names that look secret but are not (`*_FILE`, `*_PATH`…), whole-name regex.
        public var allowNamePattern: String?
    }

    /// Targets.
    public enum Target: String, Decodable, Sendable { case env, configMap }

    public static let name = "SecretValue"
    static let envMessage = "sets %@ to a plaintext secret value in the environment"
    static let configMapMessage = "holds a plaintext secret in data key %@"
    static let defaultNames =
        "(?i)(passw(or)?d|passwd|secret|token|api[_-]?key|apikey|private[_-]?key|credential|access[_-]?key|auth[_-]?key|client[_-]?secret|_key$|_key_content$|^key$)"
    static let defaultAllow = "(?i).*(_FILE|_PATH|_DIR|_URL_PATH|_NAME|_ID|_USER|_USERNAME|_REF|_LENGTH|_TTL|_EXPIRY|_TIMEOUT)"
    /// Shapes of well-known credentials, whatever the name.
    static let shapes = [
        "AKIA[0-9A-Z]{16}", "-{3,}BEGIN [A-Z ]*PRIVATE KEY-{3,}", "gh[pousr]_[A-Za-z0-9]{36}", "glpat-[A-Za-z0-9_-]{20}",
        "xox[baprs]-[A-Za-z0-9-]{10,}", "sk_live_[A-Za-z0-9]{24}", "eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}",
        "AIza[0-9A-Za-z_-]{35}", "npm_[A-Za-z0-9]{36}",
    ].map(CheckSupport.regex)
    /// The fewest characters any of `shapes` matches (`xox[baprs]-` and ten more).
    static let shortestShape = 15
    let target: Target
    let names: NSRegularExpression
    let allow: String
    /// `allow`, compiled once (anchored, as `CheckSupport.fullMatch` uses it).
    let allowed: NSRegularExpression
    /// True when `names` is `defaultNames`, whose matches all contain a word of `defaultNameWords`.
    let usesDefaultNames: Bool
    /// Whether a name matches `names` and not `allow`, per name: the same few names recur in every manifest.
    let namesLookSecret = Memo<String, Bool>()

    public init(parameters: Parameters) {
        target = parameters.target
        names = CheckSupport.regex(parameters.namePattern ?? Self.defaultNames)
        allow = parameters.allowNamePattern ?? Self.defaultAllow
        allowed = RegexCache.shared.anchored(allow)
        usesDefaultNames = (parameters.namePattern ?? Self.defaultNames) == Self.defaultNames
    }

    /// Words that every match of `defaultNames` contains (each of its alternatives has one), in lower case.
    static let defaultNameWords: [[UInt8]] = ["passw", "secret", "token", "credential", "key"].map { Array($0.utf8) }

    public var needsPodSpec: Bool { target == .env }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        switch target {
        case .env:
            var violations: [Violation] = []
            for container in context.containers(of: object) {
                container.forEachEnvItem { item in
                    guard let name = item.scalar(forKey: "name") else { return }
                    item.withPair(forKey: "value") { pair in
                        guard case .scalar(let value, _) = pair.value.content, isSecret(name: name, value: value) else { return }
                        violations.append(
                            Violation(
                                range: CheckSupport.range(pair), file: object.file,
                                message: context.message(Self.envMessage).replacingPlaceholders(with: name),
                                container: container.name, path: "\(container.path).env[\(name)].value", fix: nil))
                    }
                }
            }
            return violations
        case .configMap:
            guard object.kind == "ConfigMap" else { return [] }
            return (object.node["data"]?.mapping ?? []).compactMap { pair -> Violation? in
                guard let name = pair.key.scalar, let value = pair.value.scalar, isSecret(name: name, value: value) else { return nil }
                return Violation(
                    range: CheckSupport.range(pair), file: object.file,
                    message: context.message(Self.configMapMessage).replacingPlaceholders(with: "\"\(name)\""),
                    container: nil, path: "data.\(name)", fix: nil)
            }
        }
    }

    func isSecret(name: String, value: String) -> Bool {
        let trimmed = Self.startsAndEndsVisibly(value) ? value : value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return false }
        // Every shape matches at least 15 ASCII characters, so shorter values skip the expressions.
        if trimmed.utf8.count >= Self.shortestShape, Self.shapes.contains(where: { CheckSupport.search($0, trimmed) }) { return true }
        // Literal values only: `$(OTHER_VAR)` references and file paths are not secrets.
        guard mayBeSecretName(name),
            namesLookSecret.value(for: name, { CheckSupport.search(names, $0) && !CheckSupport.search(allowed, $0) })
        else { return false }
        if trimmed.hasPrefix("$(") || trimmed.hasPrefix("/") || trimmed.contains("\n") && target == .configMap && trimmed.count > 200 {
            return false
        }
        // None of them is longer than 8 characters, 3 bytes each at most.
        if trimmed.utf8.count <= 24, Self.placeholders.contains(trimmed.lowercased()) { return false }
        return true
    }

    /// Values that stand for no secret at all (compared in lower case).
    static let placeholders: Set<String> = ["true", "false", "changeme", "null", "none", "<nil>"]

    /// False when `name` cannot match the default name pattern: an ASCII name without any of its
    /// words (case-insensitively) skips the regular expression. Other names and patterns are tested.
    func mayBeSecretName(_ name: String) -> Bool {
        guard usesDefaultNames, name.utf8.allSatisfy({ $0 < 0x80 }) else { return true }
        var name = name
        return name.withUTF8 { bytes in
            Self.defaultNameWords.contains { word in
                bytes.count >= word.count
                    && (0...(bytes.count - word.count)).contains { start in
                        word.indices.allSatisfy { i in
                            let byte = bytes[start + i]
                            return (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) == word[i]
                        }
                    }
            }
        }
    }

    /// True when the first and last characters are ASCII and neither white space nor a line break,
    /// so trimming them would change nothing.
    static func startsAndEndsVisibly(_ text: String) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        func visible(_ byte: UInt8) -> Bool { byte < 0x80 && byte > 0x20 && byte != 0x7F }
        return visible(first) && visible(last)
    }
}
