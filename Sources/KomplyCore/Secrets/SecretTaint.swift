/// Marks, inside the app model's strings, where a secret variable was interpolated.
///
/// The compose reader writes `U+FDD0 NAME U+FDD1` where `${NAME}` stood when `NAME` is secret, so the
/// value never enters the model: whatever reads the model (the generator, `komply sources`, messages)
/// sees the variable's name and must turn it into a reference (`secretKeyRef`, `$(NAME)`, `$NAME`)
/// or a mask. U+FDD0 and U+FDD1 are Unicode noncharacters, reserved for a program's internal use;
/// readers refuse input that holds them, so a marker always comes from komply.
public enum SecretTaint {
    /// Starts a marker.
    // Swift refuses noncharacters in literals, so they are built from their code points.
    public static let open = Unicode.Scalar(0xFDD0 as UInt32)!
    /// Ends a marker.
    public static let close = Unicode.Scalar(0xFDD1 as UInt32)!

    /// A piece of a tainted string: plain text or the place of a secret variable.
    public enum Segment: Sendable, Hashable {
        /// Text written as it is.
        case text(String)
        /// Where the value of the named secret variable stood.
        case secret(String)
    }

    /// The marker that stands for the value of the secret variable `name`.
    public static func marker(_ name: String) -> String {
        "\(Character(open))\(name)\(Character(close))"
    }

    /// Whether `text` holds a marker.
    public static func isTainted(_ text: String) -> Bool {
        text.unicodeScalars.contains(open)
    }

    /// Whether `text` holds a marker character: input that does is refused, so a marker is always komply's.
    public static func holdsMarkerCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == open || $0 == close }
    }

    /// The text split at its markers; an unterminated marker is kept as text.
    public static func segments(_ text: String) -> [Segment] {
        guard isTainted(text) else { return [.text(text)] }
        var result: [Segment] = []
        var plain = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            guard scalar == open, let end = scalars.firstIndex(of: close) else {
                plain.append(scalar)
                continue
            }
            if !plain.isEmpty { result.append(.text(String(plain))) }
            plain = String.UnicodeScalarView()
            result.append(.secret(String(String.UnicodeScalarView(scalars[..<end]))))
            scalars = scalars[scalars.index(after: end)...]
        }
        if !plain.isEmpty { result.append(.text(String(plain))) }
        return result
    }

    /// The secret variables interpolated into `text`, in order of first appearance.
    public static func variables(in text: String) -> [String] {
        guard isTainted(text) else { return [] }
        var seen = Set<String>()
        return segments(text).compactMap { segment in
            guard case .secret(let name) = segment, seen.insert(name).inserted else { return nil }
            return name
        }
    }

    /// `text` with each marker replaced by `reference(name)`.
    public static func replacing(_ text: String, with reference: (String) -> String) -> String {
        guard isTainted(text) else { return text }
        return segments(text).map { segment in
            switch segment {
            case .text(let plain): return plain
            case .secret(let name): return reference(name)
            }
        }.joined()
    }

    /// `text` with each marker shown as `<secret: NAME>`, as `komply sources` and messages print it.
    public static func masked(_ text: String) -> String {
        replacing(text) { "<secret: \($0)>" }
    }
}

extension ValueTree {
    /// This tree with every tainted string masked (`<secret: NAME>`).
    public func maskingSecrets() -> ValueTree {
        switch self {
        case .string(let text): return SecretTaint.isTainted(text) ? .string(SecretTaint.masked(text)) : self
        case .array(let items): return .array(items.map { $0.maskingSecrets() })
        case .object(let members): return .object(members.map { .init(key: $0.key, value: $0.value.maskingSecrets()) })
        default: return self
        }
    }
}
