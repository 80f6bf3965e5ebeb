import Foundation
import KomplyCore

// The pod template's `komply.dev/config-hash`: a changed ConfigMap or Secret reference rolls the workload.
extension ServiceBuilder {
    /// The pod template annotation that changes whenever what the pod reads from configuration changes.
    static let configHashAnnotation = "komply.dev/config-hash"

    /// The config hash of the pod: the first 16 hex digits of the SHA-256 of the data of every ConfigMap this service
    /// generates and of every Secret reference in `pod` (Secret names and keys — komply never sees a Secret's values,
    /// so a value rotated in the cluster rolls nothing); nil when the pod reads neither.
    func configHash(pod: ValueTree) -> String? {
        var hasher = SHA256.Hasher()
        var anything = false
        // ConfigMap data is already plaintext in git: its digest tells nothing the repository does not.
        for draft in output.drafts where draft.kind == "ConfigMap" {
            hasher.update(Array("configmap \(draft.name) ".utf8))
            hasher.update(Array((draft.parts["data"] ?? .null).compactJSON.utf8))
            hasher.update([0])
            anything = true
        }
        for reference in Self.secretReferences(in: pod) {
            hasher.update(Array("secret \(reference.compactJSON)".utf8))
            hasher.update([0])
            anything = true
        }
        guard anything else { return nil }
        return String(SHA256.hexString(hasher.finalize()).prefix(16))
    }
}

private extension ServiceBuilder {
    /// Every `secretKeyRef`, `secretRef` and `secret` volume source in a pod spec, in document order.
    static func secretReferences(in tree: ValueTree) -> [ValueTree] {
        switch tree {
        case .array(let items):
            return items.flatMap(secretReferences(in:))
        case .object(let members):
            return members.flatMap { member -> [ValueTree] in
                ["secretKeyRef", "secretRef", "secret"].contains(member.key) ? [member.value] : secretReferences(in: member.value)
            }
        default:
            return []
        }
    }
}
