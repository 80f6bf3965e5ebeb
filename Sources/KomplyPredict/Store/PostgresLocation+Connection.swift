import Foundation
import NIOSSL
import PostgresNIO

/// How a `PostgresLocation` is connected to, shared by the history store and `komply serve --store`: the
/// password from the environment (never the URL), TLS by `sslmode`, and one wording for a failed connection.
extension PostgresLocation {
    /// The longest a connection attempt may take.
    package static let connectTimeout = 10

    /// A single connection's settings, the password from `PGPASSWORD` or `PGPASSFILE` in `environment`.
    package func connectionConfiguration(environment: [String: String]) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password(environment: environment), database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(Self.connectTimeout))
        return configuration
    }

    /// A connection pool's settings, as `connectionConfiguration(environment:)`.
    package func clientConfiguration(environment: [String: String]) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password(environment: environment), database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(Self.connectTimeout)
        return configuration
    }

    /// Why connecting failed, naming the server, the database and the user, never the password.
    package func cannotConnect(_ error: any Error) -> String {
        "cannot connect to PostgreSQL at \(host):\(port) (database \"\(database)\", user \"\(user)\"): \(Self.describe(error)); expected a running server that accepts this user (password from PGPASSWORD or PGPASSFILE)"
    }

    /// A readable reason for a driver error (postgres-nio's own description hides the server's message).
    package static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else {
            if let error = error as? PostgresTransactionError,
                let inner = error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError
            {
                return describe(inner)
            }
            return "\(error)"
        }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }
}
