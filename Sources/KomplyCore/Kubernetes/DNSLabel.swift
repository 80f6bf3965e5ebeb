/// Kubernetes DNS-1123 labels: the one way komply turns a name (an app, a service, a namespace) into a label.
public enum DNSLabel {
    /// `raw` as a DNS-1123 label: lower case, `a-z0-9-`, runs of other characters become one `-`, starts and
    /// ends alphanumeric, at most `maxLength` characters; "" when nothing of `raw` is left.
    public static func make(_ raw: String, maxLength: Int = 63) -> String {
        var out = ""
        var lastWasDash = false
        for scalar in raw.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
                lastWasDash = false
            } else if !lastWasDash, !out.isEmpty {
                out += "-"
                lastWasDash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        if out.count > maxLength { out = String(out.prefix(maxLength)) }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    /// Whether `name` is a DNS-1123 label as it stands (what a namespace name must be).
    public static func isValid(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        let allowed = { (scalar: Unicode.Scalar) in ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) }
        guard let first = scalars.first, let last = scalars.last, scalars.count <= 63 else { return false }
        return allowed(first) && allowed(last) && scalars.allSatisfy { allowed($0) || $0 == "-" }
    }
}
