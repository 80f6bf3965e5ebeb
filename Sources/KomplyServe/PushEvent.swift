import Foundation

/// What a push delivery asks for: regenerate `repository`'s `branch` at `commit`.
public struct PushEvent: Sendable, Equatable {
    /// The repository's `owner/name` (`repository.full_name`).
    public var repository: String
    /// The repository's HTTPS clone URL (`repository.clone_url`).
    public var cloneURL: String
    /// The branch name, without `refs/heads/`.
    public var branch: String
    /// The pushed commit (`after`), 40 or 64 lowercase hexadecimal digits.
    public var commit: String

    /// Creates a push event.
    public init(repository: String, cloneURL: String, branch: String, commit: String) {
        self.repository = repository
        self.cloneURL = cloneURL
        self.branch = branch
        self.commit = commit
    }

    /// The payload fields komply needs, as docs/serve.md lists them ("The push payload"); `deleted` is optional.
    public static let requiredFields = ["ref", "after", "repository.full_name", "repository.clone_url"]

    /// The longest `ref` accepted, in UTF-8 bytes: git keeps a ref as a file, and file names stop at 255 bytes.
    public static let maxRefBytes = 255
    /// The longest `repository.full_name` accepted, in bytes (GitHub: 39 for the owner, 100 for the name).
    public static let maxRepositoryBytes = 200
    /// The longest `repository.clone_url` accepted, in bytes.
    public static let maxCloneURLBytes = 2048

    /// What a push payload means for komply.
    public enum Parsed: Sendable, Equatable {
        /// A push to a branch: regenerate.
        case branch(PushEvent)
        /// A push komply does nothing for (a tag, a deleted branch), with the reason.
        case ignored(String)
    }

    /// Reads a GitHub or Gitea push payload: JSON, or `payload=<JSON>` form-encoded when the webhook's
    /// content type is `application/x-www-form-urlencoded`.
    public static func parse(_ body: Data, contentType: String? = nil) throws -> Parsed {
        let json = try jsonBody(body, contentType: contentType)
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: json)
        } catch let error as DecodingError {
            throw describe(error)
        }
        return try payload.interpret()
    }
}

private extension PushEvent {
    /// The fields komply reads; both hosts send them under the same names.
    struct Payload: Decodable {
        struct Repository: Decodable {
            var full_name: String
            var clone_url: String
        }

        var ref: String
        var after: String
        var deleted: Bool?
        var repository: Repository

        func interpret() throws -> Parsed {
            let commit = after.lowercased()
            guard [40, 64].contains(commit.count), commit.allSatisfy(\.isHexDigit) else {
                throw ServeError.invalidField(field: "after", value: quoted(after), expected: "a commit id (40 or 64 hexadecimal digits)")
            }
            guard ref.utf8.count <= PushEvent.maxRefBytes else {
                throw ServeError.invalidField(
                    field: "ref", value: "\(quoted(ref)) (\(ref.utf8.count) bytes)",
                    expected: "a ref of at most \(PushEvent.maxRefBytes) bytes")
            }
            let branchPrefix = "refs/heads/"
            guard ref.hasPrefix(branchPrefix) else {
                guard ref.hasPrefix("refs/") else {
                    throw ServeError.invalidField(field: "ref", value: quoted(ref), expected: "a full ref such as refs/heads/main")
                }
                return .ignored("\(ref) is not a branch")
            }
            let branch = String(ref.dropFirst(branchPrefix.count))
            guard PushEvent.isSafeBranchName(branch) else {
                throw ServeError.invalidField(
                    field: "ref", value: quoted(ref),
                    expected: "refs/heads/ followed by a valid branch name (no control, invisible formatting or line-separator characters)")
            }
            if deleted == true || commit.allSatisfy({ $0 == "0" }) {
                return .ignored("branch \(branch) was deleted")
            }
            let name = repository.full_name
            guard name.utf8.count <= PushEvent.maxRepositoryBytes else {
                throw ServeError.invalidField(
                    field: "repository.full_name", value: "\(quoted(name)) (\(name.utf8.count) bytes)",
                    expected: "owner/name of at most \(PushEvent.maxRepositoryBytes) bytes")
            }
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
                name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f && $0 != "\\" })
            else {
                throw ServeError.invalidField(field: "repository.full_name", value: quoted(name), expected: "owner/name")
            }
            guard repository.clone_url.utf8.count <= PushEvent.maxCloneURLBytes,
                repository.clone_url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
            else {
                throw ServeError.invalidField(
                    field: "repository.clone_url", value: quoted(repository.clone_url),
                    expected: "a URL of at most \(PushEvent.maxCloneURLBytes) visible ASCII characters")
            }
            return .branch(PushEvent(repository: name, cloneURL: repository.clone_url, branch: branch, commit: commit))
        }

        /// `text` in quotes for a message or log line: cut to 80 characters, with control, formatting and
        /// separator characters written as `\u{…}` so that a payload cannot forge log lines.
        func quoted(_ text: String) -> String {
            let scalars = text.unicodeScalars
            let shown = scalars.prefix(80).map { PushEvent.isInvisible($0) ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
            return "\"" + shown + (scalars.count > 80 ? "…" : "") + "\""
        }
    }

    /// The JSON document inside the body.
    static func jsonBody(_ body: Data, contentType: String?) throws -> Data {
        guard let contentType, contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") else { return body }
        let form = String(decoding: body, as: UTF8.self)
        for pair in form.split(separator: "&") where pair.hasPrefix("payload=") {
            let encoded = pair.dropFirst("payload=".count).replacingOccurrences(of: "+", with: " ")
            guard let decoded = encoded.removingPercentEncoding else {
                throw ServeError.malformedPayload("the form field payload is not valid percent-encoding")
            }
            return Data(decoded.utf8)
        }
        throw ServeError.malformedPayload("the form-encoded body has no payload field; expected payload=<JSON>")
    }

    /// A decoding error as a message naming the field and what was expected.
    static func describe(_ error: DecodingError) -> ServeError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            let fields = PushEvent.requiredFields
            return .invalidField(
                field: field, value: "missing",
                expected: "a push payload with \(fields.dropLast().joined(separator: ", ")) and \(fields.last!) (see docs/serve.md)")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .malformedPayload("the body is not a JSON object; expected a push payload")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return .invalidField(
                field: path(context.codingPath), value: "of the wrong type", expected: "a \(type == String.self ? "string" : "\(type)")")
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return .malformedPayload("not valid JSON" + (underlying.map { " (\($0))" } ?? "") + "; expected a JSON object")
        @unknown default:
            return .malformedPayload("not a push payload; expected a JSON object")
        }
    }
}

extension PushEvent {
    /// Whether `name` is a branch name git accepts and that cannot be read as an option.
    static func isSafeBranchName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("-"), !name.hasPrefix("/"), !name.hasSuffix("/"), !name.hasSuffix("."),
            !name.hasSuffix(".lock"), !name.contains(".."), !name.contains("//"), !name.contains("@{")
        else { return false }
        let forbidden: Set<Character> = [" ", "~", "^", ":", "?", "*", "[", "\\"]
        return name.unicodeScalars.allSatisfy { $0.value > 0x20 && !isInvisible($0) } && !name.contains(where: forbidden.contains)
    }

    /// Control characters (C0, DEL, C1), invisible formatting (bidi overrides, zero-width) and line or
    /// paragraph separators: characters that would hide or forge text in a log line or a branch list.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate: return true
        default: return false
        }
    }
}
