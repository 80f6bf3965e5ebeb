import Foundation

/// How `komply serve` listens and what it accepts.
public struct ServeConfiguration: Sendable {
    /// The environment variable holding the webhook secret.
    public static let secretVariable = "KOMPLY_WEBHOOK_SECRET"
    /// GitHub's largest webhook payload, 25 MiB: the default body limit.
    public static let defaultMaxBodyBytes = 25 * 1024 * 1024
    /// How long a client has to send a whole request header by default (slowloris defence).
    public static let defaultHeaderTimeout = Duration.seconds(10)
    /// How long a client has to send a whole request body by default, counted from its header.
    public static let defaultBodyTimeout = Duration.seconds(30)
    /// The most connections open at once by default; more wait in the listen backlog.
    public static let defaultMaxConnections = 256

    /// The address to bind (`127.0.0.1`, `0.0.0.0`, `::1`).
    public var host: String
    /// The port to bind; 0 picks a free one (reported through `onListening`).
    public var port: Int
    /// The shared secret deliveries are signed with.
    public var secret: String
    /// The most branches whose regeneration may wait at once; a push for another branch is answered 503.
    public var queueCapacity: Int
    /// The largest request body accepted; larger ones are answered 413.
    public var maxBodyBytes: Int
    /// The longest a request header may take to arrive, from the connection's start or the previous
    /// response; also how long a kept-alive connection may sit idle. The connection is then closed.
    public var headerTimeout: Duration
    /// The longest a request body may take to arrive, from the end of its header; the connection is then closed.
    public var bodyTimeout: Duration
    /// The most connections open at once; further ones are not accepted (they wait in the listen
    /// backlog) until one closes, so that slow clients cannot exhaust file descriptors.
    public var maxConnections: Int
    /// How many delivery ids are remembered to ignore replays.
    public var rememberedDeliveries: Int
    /// The `Retry-After` seconds sent with a 503.
    public var retryAfterSeconds: Int
    /// The repositories (`owner/name`, compared without case) whose pushes are regenerated; nil for any.
    public var repositories: Set<String>?

    /// A configuration with komply's defaults.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, secret: String, queueCapacity: Int = 64,
        maxBodyBytes: Int = ServeConfiguration.defaultMaxBodyBytes, headerTimeout: Duration = ServeConfiguration.defaultHeaderTimeout,
        bodyTimeout: Duration = ServeConfiguration.defaultBodyTimeout, maxConnections: Int = ServeConfiguration.defaultMaxConnections,
        rememberedDeliveries: Int = 10_000,
        retryAfterSeconds: Int = 30, repositories: Set<String>? = nil
    ) {
        self.host = host
        self.port = port
        self.secret = secret
        self.queueCapacity = queueCapacity
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
        self.rememberedDeliveries = rememberedDeliveries
        self.retryAfterSeconds = retryAfterSeconds
        self.repositories = repositories.map { Set($0.map { $0.lowercased() }) }
    }

    /// The secret from `KOMPLY_WEBHOOK_SECRET`; refuses an unset or empty one.
    public static func secret(from environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let secret = environment[secretVariable], !secret.isEmpty else { throw ServeError.missingSecret(variable: secretVariable) }
        return secret
    }

    /// `HOST:PORT` (`[IPv6]:PORT` for IPv6 addresses) as a host and a port.
    public static func listenAddress(_ text: String) throws -> (host: String, port: Int) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ServeError.invalidListenAddress(text)
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { throw ServeError.invalidListenAddress(text) }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), let number = Int(port), (0...65_535).contains(number) else {
            throw ServeError.invalidListenAddress(text)
        }
        return (String(host), number)
    }

    /// Checks the limits; throws a message naming the bad one.
    public func validate() throws {
        guard (1...100_000).contains(queueCapacity) else {
            throw ServeError.invalidLimit(name: "queue capacity", value: queueCapacity, expected: "1 to 100000")
        }
        guard maxBodyBytes >= 1024 else {
            throw ServeError.invalidLimit(name: "body limit", value: maxBodyBytes, expected: "at least 1024 bytes")
        }
        for (name, timeout) in [("header timeout", headerTimeout), ("body timeout", bodyTimeout)]
        where timeout <= .zero || timeout > .seconds(3600) {
            throw ServeError.invalidTimeout(name: name, value: timeout, expected: "more than 0 and at most 3600 seconds")
        }
        guard (1...100_000).contains(maxConnections) else {
            throw ServeError.invalidLimit(name: "connection limit", value: maxConnections, expected: "1 to 100000")
        }
        guard rememberedDeliveries >= 1 else {
            throw ServeError.invalidLimit(name: "remembered deliveries", value: rememberedDeliveries, expected: "at least 1")
        }
        guard (0...65_535).contains(port) else {
            throw ServeError.invalidLimit(name: "port", value: port, expected: "0 to 65535")
        }
    }
}
