import KomplyCore

/// Secret environment values that several services carry alike (WordPress's `WORDPRESS_DB_PASSWORD` and the
/// database's `MYSQL_PASSWORD`, or both `${DB_PASS}`): one Secret key, the owner's, that every one of them reads.
///
/// Equality is decided in memory on the values the reader handed over (literal text, or the taint marker of a
/// secret variable, which names the variable and never holds its value); no value, and no digest of one, is ever
/// written, logged or kept past the plan.
struct SharedSecrets {
    /// Where a shared value lives: the owner's Secret and key.
    struct Key: Equatable {
        /// The Secret that holds the value (`<owner>-secrets`).
        var secretName: String
        /// The key in it: the owner's variable name.
        var key: String
        /// Every reader of the key as `(service, variable)`, owner first, for SECRETS.md and notices.
        var readers: [(service: String, variable: String)]
        /// Why the readers share it, in words that never hold the value.
        var why: String

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.secretName == rhs.secretName && lhs.key == rhs.key && lhs.why == rhs.why
                && lhs.readers.elementsEqual(rhs.readers) { $0.service == $1.service && $0.variable == $1.variable }
        }
    }

    /// Compose service → variable → the shared key it reads, for readers other than the owner.
    var borrowed: [String: [String: Key]] = [:]
    /// Compose service → variable → the shared key it owns.
    var owned: [String: [String: Key]] = [:]

    /// The shared keys of an app: `secrets` lists each service's secret environment variables with their values
    /// (compose service → variable → value), `connections` who talks to whom, `names` the Kubernetes names.
    static func plan(
        secrets: [String: [String: String]], connections: [String: Set<String>], names: [String: String]
    ) -> SharedSecrets {
        // Values stay in this dictionary only, which lives until the function returns.
        var byValue: [String: [(service: String, variable: String)]] = [:]
        for service in secrets.keys.sorted() {
            for (variable, value) in secrets[service]!.sorted(by: { $0.key < $1.key }) where !value.isEmpty {
                byValue[value, default: []].append((service, variable))
            }
        }
        var plan = SharedSecrets()
        for (value, members) in byValue where Set(members.map(\.service)).count >= 2 {
            let owner = Self.owner(members, connections: connections)
            let variable = SecretTaint.variables(in: value).first.flatMap { SecretTaint.marker($0) == value ? $0 : nil }
            // The owner's other variables with the same value keep their own keys: within one service, equal
            // values (a root and a user password) are a default compose happened to give, not one secret. Equal
            // literals are one secret only between services that talk to each other (an app and the database it
            // logs in to); two unrelated admin passwords that a sample `.env` sets alike stay two secrets. One
            // `${VAR}` is one secret wherever compose put it.
            let readers =
                [owner]
                + members.filter { member in
                    member.service != owner.service
                        && (variable != nil || connections[member.service, default: []].contains(owner.service)
                            || connections[owner.service, default: []].contains(member.service))
                }
            guard readers.count >= 2 else { continue }
            let why =
                variable.map { "each is ${\($0)} in compose" } ?? "compose gives them the same value"
            let key = Key(
                secretName: "\(names[owner.service] ?? Naming.dnsLabel(owner.service))-secrets", key: owner.variable,
                readers: readers, why: why)
            plan.owned[owner.service, default: [:]][owner.variable] = key
            for reader in readers.dropFirst() { plan.borrowed[reader.service, default: [:]][reader.variable] = key }
        }
        return plan
    }

    /// `service (VARIABLE)` for every reader, owner first.
    static func readersText(_ key: Key) -> String {
        key.readers.map { "\($0.service) (\($0.variable))" }.joined(separator: ", ")
    }
}

private extension SharedSecrets {
    /// The reader that owns the key: the one the most other readers connect to (the database they log in to),
    /// then the first by service and variable name.
    static func owner(
        _ members: [(service: String, variable: String)], connections: [String: Set<String>]
    ) -> (service: String, variable: String) {
        func callers(_ service: String) -> Int {
            Set(members.map(\.service)).filter { $0 != service && connections[$0, default: []].contains(service) }.count
        }
        return members.min { a, b in
            let (ca, cb) = (callers(a.service), callers(b.service))
            return ca != cb ? ca > cb : (a.service, a.variable) < (b.service, b.variable)
        }!
    }
}

extension ServiceBuilder {
    /// The SECRETS.md reason of a key other services read too: why it is secret, then every reader.
    func sharedReason(_ reason: String, _ key: SharedSecrets.Key) -> String {
        "\(reason); shared: read by \(SharedSecrets.readersText(key)) (\(key.why)), one key for all"
    }

    /// Each secret environment variable of the service with its value, for `SharedSecrets.plan` (in memory only).
    var secretEnvironmentValues: [String: String] {
        var values: [String: String] = [:]
        for (key, value) in service.environment {
            guard let value, secretReason(key, value) != nil else { continue }
            values[key] = value
        }
        return values
    }
}
