import KomplyCore

/// Turns secret markers (`SecretTaint`) in argv and shell text into references the container resolves at run time.
enum SecretReferences {
    /// A command or args word with each marker as `$(VAR)`, which Kubernetes expands from the container's environment.
    static func argument(_ word: String, variables: [String: String]) -> String {
        SecretTaint.replacing(word) { "$(\(variables[$0] ?? $0))" }
    }

    /// A `sh -c` script with each marker as a `$VAR` expansion that survives the quoting around it:
    /// `"${VAR}"` outside quotes, `${VAR}` inside double quotes, `'"${VAR}"'` inside single quotes.
    static func script(_ text: String, variables: [String: String]) -> String {
        guard SecretTaint.isTainted(text) else { return text }
        var result = ""
        var quote: Character?
        var escaped = false
        for segment in SecretTaint.segments(text) {
            switch segment {
            case .text(let plain):
                for character in plain {
                    result.append(character)
                    if escaped {
                        escaped = false
                    } else if character == "\\" && quote != "'" {
                        escaped = true
                    } else if character == "'" || character == "\"" {
                        if quote == nil { quote = character } else if quote == character { quote = nil }
                    }
                }
            case .secret(let name):
                let expansion = "${\(variables[name] ?? name)}"
                switch quote {
                case "\"": result += expansion
                case "'": result += "'\"\(expansion)\"'"
                default: result += "\"\(expansion)\""
                }
            }
        }
        return result
    }

    /// An argv word quoted for `sh -c`: plain text in single quotes, markers as `"${VAR}"`.
    static func quotedWord(_ word: String, variables: [String: String]) -> String {
        SecretTaint.segments(word).map { segment in
            switch segment {
            case .text(let plain): return "'" + plain.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
            case .secret(let name): return "\"${\(variables[name] ?? name)}\""
            }
        }.joined()
    }
}
