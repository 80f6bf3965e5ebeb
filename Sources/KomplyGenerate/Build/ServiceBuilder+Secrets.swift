import Foundation
import KomplyCore

// Secrets the cluster provides: SECRETS.md entries and, with External Secrets, the ExternalSecret objects.
extension ServiceBuilder {
    /// Records a Secret the cluster must provide; with External Secrets, also the ExternalSecret object.
    mutating func provideSecret(_ secretName: String, keys: [(key: String, reason: String)]) {
        output.secretsToProvide[secretName, default: []] += keys
        guard case .externalSecrets(let storeKind, let storeName, let prefix) = context.settings.secrets else { return }
        let data: [ValueTree] = keys.map { entry in
            .members([
                ("secretKey", .string(entry.key)),
                (
                    "remoteRef",
                    .members([
                        ("key", .string("\(prefix.map { "\($0)/" } ?? "")\(context.appName)/\(secretName)")),
                        ("property", .string(entry.key)),
                    ])
                ),
            ])
        }
        output.drafts.append(
            ObjectDraft(
                kind: "ExternalSecret", name: secretName,
                parts: [
                    "metadata": metadata(secretName, labels: commonLabels),
                    "spec": .members([
                        ("refreshInterval", .string("1h")),
                        ("secretStoreRef", .members([("kind", .string(storeKind)), ("name", .string(storeName))])),
                        ("target", .members([("name", .string(secretName)), ("creationPolicy", .string("Owner"))])),
                        ("data", .array(data)),
                    ]),
                ]))
    }
}
