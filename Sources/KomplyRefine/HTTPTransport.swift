import AsyncHTTPClient
import Foundation
import NIOCore

/// One HTTP POST as komply sends it to a model server.
public struct HTTPPost: Sendable, Equatable {
    /// The full URL.
    public var url: String
    /// Header names and values, in the order sent.
    public var headers: [HTTPHeader]
    /// The JSON body.
    public var body: Data

    /// One header.
    public struct HTTPHeader: Sendable, Equatable {
        /// The header's name.
        public var name: String
        /// The header's value.
        public var value: String

        /// Creates a header.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a request.
    public init(url: String, headers: [HTTPHeader], body: Data) {
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What a server answered: status, headers (names lowercased) and body.
public struct HTTPReply: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Header values by lowercased name (the last one wins).
    public var headers: [String: String]
    /// The body, at most the response limit.
    public var body: Data

    /// Creates a reply.
    public init(status: Int, headers: [String: String] = [:], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an HTTP exchange failed before a status arrived.
public enum TransportFailure: Error, Sendable, Equatable {
    /// No answer within the deadline.
    case timedOut(seconds: Int)
    /// Connecting or reading failed.
    case failed(String)
    /// The body was longer than allowed.
    case tooLarge(limit: Int)
}

/// Sends a POST and reads the reply; injected so tests can count, delay or refuse calls.
public protocol HTTPTransport: Sendable {
    /// Sends `request`, giving up after `timeoutSeconds` and after `maxResponseBytes` of body.
    func post(_ request: HTTPPost, timeoutSeconds: Int, maxResponseBytes: Int) async throws(TransportFailure) -> HTTPReply
}

/// The real transport: AsyncHTTPClient (HTTP/1.1 and HTTP/2, TLS from the system).
public struct AsyncHTTPTransport: HTTPTransport {
    /// The client used.
    public let client: HTTPClient

    /// A transport on `client` (komply's process-wide client by default).
    public init(client: HTTPClient = Self.client) {
        self.client = client
    }

    /// One client for the process: a refused connection fails at once instead of being retried until
    /// the connect timeout (komply's own retries decide), and connecting may take at most 10 s.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public func post(_ request: HTTPPost, timeoutSeconds: Int, maxResponseBytes: Int) async throws(TransportFailure) -> HTTPReply {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .POST
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        let deadline = NIODeadline.now() + .seconds(Int64(timeoutSeconds))
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            var headers: [String: String] = [:]
            for (name, value) in response.headers { headers[name.lowercased()] = value }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: maxResponseBytes)
            } catch is NIOTooManyBytesError {
                throw TransportFailure.tooLarge(limit: maxResponseBytes)
            }
            return HTTPReply(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
        } catch let failure as TransportFailure {
            throw failure
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .timedOut(seconds: timeoutSeconds)
        } catch {
            if NIODeadline.now() >= deadline { throw .timedOut(seconds: timeoutSeconds) }
            throw .failed(String(describing: error))
        }
    }
}
