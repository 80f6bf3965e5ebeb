import Foundation
import KomplyCore

// Compose `environment`: a ConfigMap for plain values, Secret references for secret ones.
extension ServiceBuilder {
    /// Splits compose `environment` into a ConfigMap (`envFrom`) and `secretKeyRef`s for values that are
    /// secret by name, shape or taint; adds a `secretKeyRef` for each secret variable the command,
    /// entrypoint or healthcheck interpolates, and records its name in `secretArguments`.
    mutating func splitEnvironment(env: inout [ValueTree], envFrom: inout [ValueTree]) {
        var plain: [(String, ValueTree)] = []
        var secretKeys: [(key: String, reason: String)] = []
        var secretEnvironment = Set<String>()
        var borrowedKeys: [(env: String, key: SharedSecrets.Key)] = []
        for key in service.environment.keys.sorted() {
            let value = service.environment[key] ?? nil
            guard let value else {
                notice(.warning, "environment variable \(key) has no value in compose (it would come from the host); it is left out")
                continue
            }
            if let reason = secretReason(key, value) {
                secretEnvironment.insert(key)
                // A value another service carries alike is read from the owner's key (SharedSecrets).
                if let shared = shared.borrowed[service.name]?[key] {
                    borrowedKeys.append((key, shared))
                    continue
                }
                secretKeys.append((key, shared.owned[service.name]?[key].map { sharedReason(reason, $0) } ?? reason))
            } else {
                plain.append((key, .string(value)))
            }
        }
        if service.environment["PGDATA"] == nil, let folder = postgresDataFolder {
            // A fresh volume's root holds lost+found (ext4), which initdb refuses: the data goes one level down.
            plain.append(("PGDATA", .string(folder)))
            plain.sort { $0.0 < $1.0 }
            notice(
                .info,
                "PGDATA=\(folder): the volume's root holds lost+found on most storage classes, which initdb refuses; postgres keeps its data in a sub-folder"
            )
        }
        let secretName = "\(name)-secrets"
        var references = secretKeys.map { (env: $0.key, key: $0.key) }
        for variable in argumentVariables() {
            // `$(VAR)` expands the container's variable VAR: it must hold the secret variable's value.
            let envName = holder(of: variable)
            secretArguments[variable] = envName
            guard !secretEnvironment.contains(envName) else { continue }
            secretEnvironment.insert(envName)
            references.append((envName, envName))
            secretKeys.append((envName, variableReason(variable, "the command, entrypoint or healthcheck")))
        }
        if !plain.isEmpty {
            let configName = "\(name)-env"
            configMap(configName, data: plain)
            envFrom.append(.members([("configMapRef", .members([("name", .string(configName))]))]))
        }
        let allReferences =
            (references.map { (env: $0.env, secret: secretName, key: $0.key) }
                + borrowedKeys.map { (env: $0.env, secret: $0.key.secretName, key: $0.key.key) })
        for entry in allReferences {
            env.append(
                .members([
                    ("name", .string(entry.env)),
                    ("valueFrom", .members([("secretKeyRef", .members([("name", .string(entry.secret)), ("key", .string(entry.key))]))])),
                ]))
        }
        for (variable, shared) in borrowedKeys {
            notice(
                .info,
                "\(variable) reads Secret \(shared.secretName) key \(shared.key), shared by \(SharedSecrets.readersText(shared)): \(shared.why), so one key holds it"
            )
        }
        guard !references.isEmpty else { return }
        provideSecret(secretName, keys: secretKeys)
        notice(
            .info,
            "\(secretKeys.count) secret value(s) (\(secretKeys.map(\.key).joined(separator: ", "))) become references to Secret \(secretName); their values are not written"
        )
    }

    /// `<volume>/pgdata` when the service is postgres with a named volume at its data folder, else nil.
    var postgresDataFolder: String? {
        guard classification.profile?.family == "postgres" else { return nil }
        let data = "/var/lib/postgresql/data"
        guard service.volumes.contains(where: { $0.type == "volume" && Paths.normalized($0.target) == data }) else { return nil }
        return data + "/pgdata"
    }

    /// Why the environment variable `key` holding `value` is secret, nil when it goes into the ConfigMap.
    func secretReason(_ key: String, _ value: String) -> String? {
        // A value built from a secret variable stays secret: x-komply.plainEnv cannot reveal it.
        if let variable = SecretTaint.variables(in: value).first { return variableReason(variable, "its value") }
        if options.secretEnv.contains(key) { return "x-komply.secretEnv lists it" }
        if options.plainEnv.contains(key) { return nil }
        return SecretDetector.reason(name: key, value: value)?.description
    }

    /// Why a secret variable interpolated into `place` is secret, in words for SECRETS.md and notices.
    func variableReason(_ variable: String, _ place: String) -> String {
        let why = context.project.secretVariables[variable]?.description ?? SecretDetector.nameReason(variable)?.description
        return "\(place) interpolates the secret variable \(variable)" + (why.map { " (\($0))" } ?? "")
    }
}

private extension ServiceBuilder {
    /// Secret variables the command, entrypoint or healthcheck test interpolates, sorted.
    func argumentVariables() -> [String] {
        var names = Set<String>()
        for word in (service.command ?? []) + (service.entrypoint ?? []) + (service.healthcheck?.test ?? []) {
            names.formUnion(SecretTaint.variables(in: word))
        }
        return names.sorted()
    }

    /// The container variable `$(…)` reads for the secret variable `variable`: the one named so when it holds
    /// exactly that variable (or is absent), else the first that does (`POSTGRES_PASSWORD: ${DB_PASS}`), else
    /// `KOMPLY_SECRET_<variable>`, a variable of its own.
    func holder(of variable: String) -> String {
        let marker = SecretTaint.marker(variable)
        switch service.environment[variable] {
        case nil, .some(nil): break
        case .some(.some(let value)):
            // A literal secret the reader found in argv (snapshots), or `VAR: ${VAR}`.
            if value == marker || !SecretTaint.isTainted(value) && secretReason(variable, value) != nil { return variable }
        }
        if let holder = service.environment.keys.sorted().first(where: { service.environment[$0] == .some(marker) }) {
            return holder
        }
        let current = service.environment[variable] ?? nil
        return current == nil ? variable : "KOMPLY_SECRET_\(variable)"
    }
}
