import Foundation
import KomplyCore

// Compose `environment`: a ConfigMap for plain values, Secret references for secret ones.
extension ServiceBuilder {
    /// Splits compose `environment` into a ConfigMap (`envFrom`) and `secretKeyRef`s for values that look secret.
    mutating func splitEnvironment(env: inout [ValueTree], envFrom: inout [ValueTree]) {
        var plain: [(String, ValueTree)] = []
        var secretKeys: [(key: String, reason: String)] = []
        for key in service.environment.keys.sorted() {
            let value = service.environment[key] ?? nil
            guard let value else {
                notice(.warning, "environment variable \(key) has no value in compose (it would come from the host); it is left out")
                continue
            }
            let reason =
                options.secretEnv.contains(key)
                ? "x-komply.secretEnv lists it"
                : options.plainEnv.contains(key) ? nil : SecretDetector.reason(name: key, value: value)
            if let reason {
                secretKeys.append((key, reason))
            } else {
                plain.append((key, .string(value)))
            }
        }
        if !plain.isEmpty {
            let configName = "\(name)-env"
            configMap(configName, data: plain)
            envFrom.append(.members([("configMapRef", .members([("name", .string(configName))]))]))
        }
        if !secretKeys.isEmpty {
            let secretName = "\(name)-secrets"
            for entry in secretKeys {
                env.append(
                    .members([
                        ("name", .string(entry.key)),
                        (
                            "valueFrom",
                            .members([("secretKeyRef", .members([("name", .string(secretName)), ("key", .string(entry.key))]))])
                        ),
                    ]))
            }
            provideSecret(secretName, keys: secretKeys)
            notice(
                .info,
                "\(secretKeys.count) secret environment value(s) (\(secretKeys.map(\.key).joined(separator: ", "))) become references to Secret \(secretName); their values are not written"
            )
        }
    }
}
