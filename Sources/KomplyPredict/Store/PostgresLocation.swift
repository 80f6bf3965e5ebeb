import Foundation

/// A `postgres://user@host:port/database?sslmode=…` history address, parsed and checked before anything
/// connects. A password in the URL is refused (URLs end up in logs, shell history and komply.yaml): it comes
/// from `PGPASSWORD`, or from the passfile `PGPASSFILE` names (libpq's format), and is never printed.
/// `komply serve --store` reads the same URLs (`option` names the flag in messages).
package struct PostgresLocation: Sendable, Hashable {
    /// The user name.
    package var user: String
    /// The host name or address.
    package var host: String
    /// The TCP port (default 5432).
    package var port: Int
    /// The database name.
    package var database: String
    /// Whether to use TLS: `disable`, `prefer` (the default, as libpq) or `require`.
    package var sslMode: String

    /// Whether `path` names a PostgreSQL history rather than an SQLite file.
    package static func isURL(_ path: String) -> Bool {
        path.hasPrefix("postgres://") || path.hasPrefix("postgresql://")
    }

    /// Parses `url`, throwing a message that names `option` and what was expected.
    package init(parsing url: String, option: String = "history") throws(PredictError) {
        let expected = "a URL like postgres://USER@HOST:PORT/DATABASE (the password from PGPASSWORD or PGPASSFILE)"
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw .invalidArgument(name: option, value: Self.redacted(url), expected: expected)
        }
        if components.password != nil {
            throw .invalidArgument(
                name: option, value: Self.redacted(url),
                expected: "no password in the URL: put it in PGPASSWORD or in the passfile PGPASSFILE names, never in komply.yaml or a flag"
            )
        }
        guard let user = components.user, !user.isEmpty else {
            throw .invalidArgument(name: option, value: url, expected: "a user name in the URL: \(expected)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw .invalidArgument(name: option, value: url, expected: "one database name after the host: \(expected)")
        }
        let options = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let sslMode = options["sslmode"] ?? "prefer"
        guard ["disable", "prefer", "require"].contains(sslMode), options.keys.allSatisfy({ $0 == "sslmode" }) else {
            throw .invalidArgument(name: option, value: url, expected: "no query options but sslmode=disable|prefer|require")
        }
        self.user = user
        self.host = host
        self.port = components.port ?? 5432
        self.database = database
        self.sslMode = sslMode
    }

    /// How messages name the store: `postgres://user@host:port/database`.
    package var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// The password from `PGPASSWORD`, else the first matching line of the `PGPASSFILE` passfile
    /// (`host:port:database:user:password`, `*` matching anything), else none.
    package func password(environment: [String: String]) -> String? {
        if let password = environment["PGPASSWORD"], !password.isEmpty { return password }
        guard let file = environment["PGPASSFILE"], let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}

private extension PostgresLocation {
    /// `url` with any password replaced, for a message.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "REDACTED"
        return components.string ?? "postgres://…"
    }
}
