import AsyncHTTPClient
import Foundation
import KomplyCore
import KomplyPredict
import NIOCore
import NIOSSL

/// `komply observe`'s HTTP client for one cluster's Prometheus: AsyncHTTPClient with the cluster's TLS trust (a
/// private CA's PEM bundle, or no verification when the config says so), a 60-second deadline and a 256 MiB
/// answer limit.
public final class PrometheusTransport: KomplyPredict.HTTPTransport, @unchecked Sendable {
    /// The largest answer read (a week of one-minute points for thousands of containers stays far below).
    public static let maxResponseBytes = 256 << 20

    private let client: HTTPClient

    /// A client trusting the system's CAs plus, when given, the PEM bundle at `caFile`; `insecure` skips verification.
    public init(caFile: String? = nil, insecure: Bool = false) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            do {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
            } catch {
                throw PredictError.unreadable(file: caFile, reason: "not a PEM certificate bundle (\(error))")
            }
        }
        if insecure { tls.certificateVerification = .none }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        configuration.httpVersion = .http1Only
        // A refused connection is an answer (the cluster is down), not something to retry for the whole connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    deinit { try? client.syncShutdown() }

    public func get(_ url: URL, headers: [String: String]) async throws -> Data {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: Self.maxResponseBytes)
        let data = Data(buffer: body)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw PredictError.unreadable(
                file: url.absoluteString, reason: "HTTP \(response.status.code): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return data
    }
}
