import Foundation
import KomplyCore

/// Flags plaintext secrets with KomplyCore's `SecretDetector` (by name, by value shape, and for
/// ConfigMap files line by line): `target: env` checks container `env[].value`, `target: configMap`
/// checks ConfigMap `data`. Messages name the variable or key and why, never the value.
public struct SecretValueCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// Where to look.
        public var target: Target
        /// Names that hold secrets (case-insensitive regex searched in the name); default: the detector's name words.
        public var namePattern: String?
        /// Names that look secret but are not, whole-name regex; default: the detector's look-alikes (`*_FILE`, `PUBLIC_KEY`…).
        public var allowNamePattern: String?
    }

    /// Targets.
    public enum Target: String, Decodable, Sendable { case env, configMap }

    public static let name = "SecretValue"
    static let envMessage = "sets %@ to a plaintext secret value in the environment"
    static let configMapMessage = "holds a plaintext secret in data key %@"
    let target: Target
    /// A custom name pattern, compiled once; nil for the detector's names.
    let names: NSRegularExpression?
    /// A custom look-alike pattern (anchored), compiled once; nil for the detector's look-alikes.
    let allowed: NSRegularExpression?
    /// Why each name alone says secret, per name: the same few names recur in every manifest.
    let nameReasons = Memo<String, SecretReason?>()

    public init(parameters: Parameters) {
        target = parameters.target
        names = parameters.namePattern.map(CheckSupport.regex)
        allowed = parameters.allowNamePattern.map { RegexCache.shared.anchored($0) }
    }

    public var needsPodSpec: Bool { target == .env }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        switch target {
        case .env:
            var violations: [Violation] = []
            for container in context.containers(of: object) {
                container.forEachEnvItem { item in
                    guard let name = item.scalar(forKey: "name") else { return }
                    item.withPair(forKey: "value") { pair in
                        guard case .scalar(let value, _) = pair.value.content, let reason = reason(name: name, value: value) else { return }
                        violations.append(
                            Violation(
                                range: CheckSupport.range(pair), file: object.file,
                                message: context.message(Self.envMessage).replacingPlaceholders(with: name) + " (\(reason))",
                                container: container.name, path: "\(container.path).env[\(name)].value", fix: nil))
                    }
                }
            }
            return violations
        case .configMap:
            guard object.kind == "ConfigMap" else { return [] }
            return (object.node["data"]?.mapping ?? []).compactMap { pair -> Violation? in
                guard let name = pair.key.scalar, let value = pair.value.scalar, let reason = reason(name: name, value: value) else {
                    return nil
                }
                return Violation(
                    range: CheckSupport.range(pair), file: object.file,
                    message: context.message(Self.configMapMessage).replacingPlaceholders(with: "\"\(name)\"") + " (\(reason))",
                    container: nil, path: "data.\(name)", fix: nil)
            }
        }
    }

    /// Why `value` under `name` is a plaintext secret, nil when it is not; the detector's order: name, then shape.
    func reason(name: String, value: String) -> SecretReason? {
        // A ConfigMap key holding a file is read line by line, as the generator reads mounted files.
        if target == .configMap, value.contains("\n") { return SecretDetector.fileReason(value) }
        if let word = nameReasons.value(for: name, nameReason), !SecretDetector.isPlaceholder(value) { return word }
        return SecretDetector.shapeReason(value, entropy: !isLookAlike(name))
    }

    /// Why `name` alone says secret, with the rule's own patterns when it sets them.
    func nameReason(_ name: String) -> SecretReason? {
        if let allowed, CheckSupport.search(allowed, name) { return nil }
        guard let names else { return SecretDetector.nameReason(name) }
        return CheckSupport.search(names, name) ? SecretReason(.name, "its name matches \(names.pattern)") : nil
    }

    /// Whether `name` names something that only looks secret (the rule's `allowNamePattern`, else the detector's list).
    func isLookAlike(_ name: String) -> Bool {
        if let allowed { return CheckSupport.search(allowed, name) }
        return SecretDetector.isLookAlike(name)
    }
}
