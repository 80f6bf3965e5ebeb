import Foundation
import KomplyCore

/// Checks that a delivery was signed with the shared webhook secret: HMAC-SHA256 over the raw body,
/// sent by GitHub as `X-Hub-Signature-256: sha256=<hex>` and by Gitea and Forgejo also as
/// `X-Gitea-Signature: <hex>` (`X-Forgejo-Signature`).
public struct WebhookSignature: Sendable {
    /// The header names a signature may arrive in, with the prefix its value carries.
    public static let headers: [(name: String, prefix: String)] = [
        ("x-hub-signature-256", "sha256="), ("x-gitea-signature", ""), ("x-forgejo-signature", ""),
    ]

    private let secret: Data

    /// A verifier for deliveries signed with `secret`.
    public init(secret: String) {
        self.secret = Data(secret.utf8)
    }

    /// The `X-Hub-Signature-256` value for `body` (`sha256=` and 64 lowercase hex digits).
    public func sign(_ body: Data) -> String {
        "sha256=" + SHA256.hmacHex(key: secret, message: body)
    }

    /// Whether one of the signature headers in `headers` (lowercased names) is a valid signature of
    /// `body`. The comparison takes the same time whichever byte differs.
    public func isValid(body: Data, headers: [String: String]) -> Bool {
        let expected = SHA256.hmac(key: secret, message: body)
        var valid = false
        for (name, prefix) in Self.headers {
            guard let value = headers[name] else { continue }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(prefix), let given = Self.bytes(hex: trimmed.dropFirst(prefix.count)) else { continue }
            // No early exit: every present header is checked, and each check is constant-time.
            valid = Self.constantTimeEqual(given, expected) || valid
        }
        return valid
    }

    /// Whether `a` and `b` are equal, touching every byte (the length is not secret).
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

private extension WebhookSignature {
    /// The bytes of an even-length hexadecimal string (either case); nil for anything else.
    static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
