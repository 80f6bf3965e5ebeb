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
    let target: Target
    let names: NSRegularExpression
    let allow: String

    public init(parameters: Parameters) {
        target = parameters.target
        names = CheckSupport.regex(parameters.namePattern ?? Self.defaultNames)
        allow = parameters.allowNamePattern ?? Self.defaultAllow
    }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        switch target {
        case .env:
            return context.containers(of: object).flatMap { container in
                (container.node["env"]?.sequence ?? []).compactMap { item -> Violation? in
                    guard let name = item["name"]?.scalar, let pair = item.pair("value"), let value = pair.value.scalar,
                        isSecret(name: name, value: value)
                    else { return nil }
                    return Violation(
                        range: CheckSupport.range(pair), file: object.file,
                        message: context.message(Self.envMessage).replacingOccurrences(of: "%@", with: name),
                        container: container.name, path: "\(container.path).env[\(name)].value", fix: nil)
                }
            }
        case .configMap:
            guard object.kind == "ConfigMap" else { return [] }
            return (object.node["data"]?.mapping ?? []).compactMap { pair -> Violation? in
                guard let name = pair.key.scalar, let value = pair.value.scalar, isSecret(name: name, value: value) else { return nil }
                return Violation(
                    range: CheckSupport.range(pair), file: object.file,
                    message: context.message(Self.configMapMessage).replacingOccurrences(of: "%@", with: "\"\(name)\""),
                    container: nil, path: "data.\(name)", fix: nil)
            }
        }
    }

    func isSecret(name: String, value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return false }
        if Self.shapes.contains(where: { CheckSupport.search($0, trimmed) }) { return true }
        // Literal values only: `$(OTHER_VAR)` references and file paths are not secrets.
        guard CheckSupport.search(names, name), !CheckSupport.fullMatch(allow, name) else { return false }
        if trimmed.hasPrefix("$(") || trimmed.hasPrefix("/") || trimmed.contains("\n") && target == .configMap && trimmed.count > 200 {
            return false
        }
        if ["true", "false", "changeme", "null", "none", "<nil>"].contains(trimmed.lowercased()) { return false }
        return true
    }
}
