import Foundation
import Hummingbird
import Logging
import NIOCore

/// A loopback model server for tests (Hummingbird): every POST is recorded and answered by the script,
/// which sees the request and how many came before it, and may delay or set headers (`Retry-After`).
final class ProviderServer: @unchecked Sendable {
    /// One request as it arrived.
    struct Recorded: Sendable {
        var path: String
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One scripted reply.
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body: String
        var delay: Double = 0
    }

    /// The bound port.
    let port: Int
    /// `http://127.0.0.1:PORT`.
    var url: String { "http://127.0.0.1:\(port)" }
    private let lock = NSLock()
    private var recorded: [Recorded] = []
    private var task: Task<Void, any Error>?

    /// Every request so far.
    var requests: [Recorded] { lock.withLock { recorded } }

    private init(port: Int) { self.port = port }

    /// Starts a server answering with `script`.
    static func start(_ script: @escaping @Sendable (Recorded, Int) -> Reply) async throws -> ProviderServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let holder = Holder()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let recorded = Recorded(path: request.uri.path, headers: headers, body: Data(buffer.readableBytesView))
            let index = holder.server!.append(recorded)
            let reply = script(recorded, index)
            if reply.delay > 0 { try? await Task.sleep(for: .seconds(reply.delay)) }
            var response = Response(
                status: HTTPResponse.Status(code: reply.status), body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
            response.headers[.contentType] = "application/json"
            // The scripts only need Retry-After (HTTPTypes' names are not imported here).
            for (name, value) in reply.headers where name.lowercased() == "retry-after" { response.headers[.retryAfter] = value }
            return response
        }
        var logger = Logger(label: "provider-server")
        // Cancelling the server at the end of a test is not an error worth printing.
        logger.logLevel = .critical
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await application.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await bound in ports {
            port = bound
            break
        }
        let server = ProviderServer(port: port)
        server.task = task
        holder.server = server
        return server
    }

    /// Stops the server.
    func stop() { task?.cancel() }

    private func append(_ request: Recorded) -> Int {
        lock.withLock {
            recorded.append(request)
            return recorded.count - 1
        }
    }
}

/// Lets the route reach the server created after it.
private final class Holder: @unchecked Sendable {
    var server: ProviderServer?
}

/// Provider replies as each wire format writes them.
enum Wire {
    /// An OpenAI chat completion whose message content is `content`.
    static func openAI(_ content: String, finish: String = "stop", refusal: String? = nil) -> String {
        let message: [String: Any] = ["role": "assistant", "content": content, "refusal": refusal as Any? ?? NSNull()]
        return json([
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test",
            "choices": [["index": 0, "message": message, "finish_reason": finish]],
        ])
    }

    /// An Anthropic message calling the patch tool with `input` (JSON text).
    static func anthropic(toolInput input: String, stop: String = "tool_use") -> String {
        let parsed = (try? JSONSerialization.jsonObject(with: Data(input.utf8))) ?? [:]
        return json([
            "id": "msg_1", "type": "message", "role": "assistant", "model": "test", "stop_reason": stop,
            "content": [["type": "tool_use", "id": "toolu_1", "name": "propose_patch", "input": parsed]],
        ])
    }

    /// An Ollama chat reply with `content`.
    static func ollama(_ content: String, doneReason: String = "stop") -> String {
        json(["model": "test", "message": ["role": "assistant", "content": content], "done": true, "done_reason": doneReason])
    }

    /// An error body as OpenAI writes it.
    static func openAIError(_ message: String, code: String? = nil, type: String = "server_error") -> String {
        json(["error": ["message": message, "type": type, "code": code as Any? ?? NSNull()]])
    }

    static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}
