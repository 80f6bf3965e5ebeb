import Foundation
import KomplyCore

/// Parsers for compose's short syntaxes: ports, volumes and shell-style command strings.
public enum ShortSyntax {
    /// The parts of a short-syntax port: `[HOST_IP:][HOST[-RANGE]:]CONTAINER[-RANGE][/PROTOCOL]`.
    struct PortSpec: Equatable {
        /// The container port or range; each port becomes one long-form port.
        var container: ClosedRange<Int>
        /// The host port or range, when given.
        var host: ClosedRange<Int>?
        /// `tcp`, `udp` or `sctp`.
        var `protocol`: String
        /// The host address, when given.
        var hostIP: String?

        /// The long-form ports, one per container port.
        var mappings: [PortMapping] {
            container.enumerated().map { index, target in
                var published: String?
                if let host {
                    if host.count == container.count {
                        published = String(host.lowerBound + index)
                    } else {
                        published = host.count == 1 ? String(host.lowerBound) : "\(host.lowerBound)-\(host.upperBound)"
                    }
                }
                return PortMapping(target: target, published: published, protocol: `protocol`, hostIP: hostIP)
            }
        }
    }

    /// Parses `[HOST_IP:][HOST[-RANGE]:]CONTAINER[-RANGE][/PROTOCOL]` into one or more long-form ports.
    static func ports(_ text: String) -> [PortMapping]? {
        portSpec(text)?.mappings
    }

    /// Parses a short-syntax port without expanding its ranges; nil when it is malformed.
    static func portSpec(_ text: String) -> PortSpec? {
        var spec = Substring(text)
        var proto = "tcp"
        if let slash = spec.lastIndex(of: "/") {
            proto = String(spec[spec.index(after: slash)...])
            spec = spec[..<slash]
            guard ["tcp", "udp", "sctp"].contains(proto) else { return nil }
        }
        var hostIP: String?
        if spec.hasPrefix("["), let close = spec.firstIndex(of: "]") {
            // IPv6: [::1]:8080:80
            hostIP = String(spec[spec.index(after: spec.startIndex)..<close])
            spec = spec[spec.index(after: close)...]
            guard spec.hasPrefix(":") else { return nil }
            spec = spec.dropFirst()
        }
        var parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if hostIP == nil, parts.count == 3 {
            hostIP = parts.removeFirst()
        } else if hostIP == nil, parts.count > 3 {
            // Bare IPv6 host address: everything but the last two parts.
            let last = parts.suffix(2)
            hostIP = parts.dropLast(2).joined(separator: ":")
            parts = Array(last)
        }
        guard parts.count == 1 || parts.count == 2 else { return nil }
        guard let container = range(parts.last!) else { return nil }
        let host: ClosedRange<Int>? = parts.count == 2 && !parts[0].isEmpty ? range(parts[0]) : nil
        if parts.count == 2, !parts[0].isEmpty, host == nil { return nil }
        // A host range maps onto an equal container range, or onto a single container port.
        if let host, host.count != container.count, container.count != 1 { return nil }
        if let ip = hostIP, ip.isEmpty { hostIP = nil }
        return PortSpec(container: container, host: host, protocol: proto, hostIP: hostIP)
    }

    /// A port or `a-b` range.
    static func range(_ text: String) -> ClosedRange<Int>? {
        PortRange.bounds(Substring(text))
    }

    /// Parses `[SOURCE:]TARGET[:MODE]` as docker compose does: a field that starts with one letter and `:` keeps that
    /// colon (a Windows drive, `C:\data:/data`); sources starting with `.`, `/`, `~`, `\\` or a drive are bind mounts.
    static func volume(_ text: String) -> VolumeMount? {
        // Compose takes one- and two-character specs (`C:`) whole, as an anonymous volume's target.
        if text.count <= 2 { return VolumeMount(type: "volume", source: nil, target: text, options: ["volume": .object([])]) }
        var parts: [String] = []
        var buffer = ""
        for character in text {
            if character == ":", buffer.count == 1, buffer.first!.isLetter {
                buffer.append(character)
            } else if character == ":" {
                parts.append(buffer)
                buffer = ""
            } else {
                buffer.append(character)
            }
        }
        parts.append(buffer)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        if parts.count == 1 {
            return VolumeMount(type: "volume", source: nil, target: parts[0], options: ["volume": .object([])])
        }
        let source = parts[0]
        let target = parts[1]
        let modes = parts.count == 3 ? parts[2].split(separator: ",").map(String.init) : []
        let isBind = Self.isFilePath(source)
        var mount = VolumeMount(type: isBind ? "bind" : "volume", source: source, target: target)
        var bindOptions: [ValueTree.Member] = []
        var volumeOptions: [ValueTree.Member] = []
        for mode in modes {
            switch mode {
            case "ro": mount.readOnly = true
            case "rw": mount.readOnly = false
            case "z", "Z": bindOptions.append(.init(key: "selinux", value: .string(mode)))
            case "nocopy": volumeOptions.append(.init(key: "nocopy", value: .bool(true)))
            case "consistent", "cached", "delegated": mount.options["consistency"] = .string(mode)
            case "shared", "rshared", "slave", "rslave", "private", "rprivate":
                bindOptions.append(.init(key: "propagation", value: .string(mode)))
            default: return nil
            }
        }
        if isBind {
            mount.options["bind"] = .object(bindOptions)
        } else {
            mount.options["volume"] = .object(volumeOptions)
        }
        return mount
    }

    /// Whether compose takes a short-syntax volume source as a path (a bind mount) rather than a volume name:
    /// `.`, `/`, `~`, a UNC share `\\` or a drive letter and `:` (`C:\data`, and `c:data`, relative to the drive).
    static func isFilePath(_ source: String) -> Bool {
        if source.hasPrefix(".") || source.hasPrefix("/") || source.hasPrefix("~") || source.hasPrefix("\\\\") { return true }
        let characters = Array(source.prefix(2))
        return characters.count == 2 && characters[0].isLetter && characters[1] == ":"
    }

    /// Splits a command string the way compose does (POSIX shell words: quotes and backslashes).
    static func shellWords(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for char in text {
            if escaped {
                current.append(char)
                escaped = false
                continue
            }
            if let q = quote {
                if char == q {
                    quote = nil
                } else if char == "\\" && q == "\"" {
                    escaped = true
                } else {
                    current.append(char)
                }
                continue
            }
            switch char {
            case "\\":
                escaped = true
                inWord = true
            case "\"", "'":
                quote = char
                inWord = true
            case " ", "\t", "\n", "\r":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            default:
                current.append(char)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { return nil }
        if inWord { words.append(current) }
        return words
    }
}
