import Foundation
import Hummingbird
import Logging

/// The emulator's HTTP server (Hummingbird 2): it converts each HTTP request into an
/// ``EmulatorRequest``, passes it to ``EmulatorState/handle(_:)`` and writes the
/// ``EmulatorResponse`` back. This file is the only one that knows Hummingbird.
///
///     let server = try TolokaEmulatorServer(EmulatorConfiguration(token: "T", speed: nil))
///     try await server.run(host: "127.0.0.1", port: 0) { port in print("listening on \(port)") }
public struct TolokaEmulatorServer: Sendable {
    /// The core every request goes to (also usable without the server, e.g. in tests).
    public let state: EmulatorState

    /// - Parameter now: the real clock (Unix seconds); tests pass a manual one to step simulated time.
    public init(_ configuration: EmulatorConfiguration, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(EmulatorConfigurationError) {
        state = try EmulatorState(configuration, now: now)
    }

    /// Serves until the task is cancelled (or, with `handleSignals`, until SIGINT/SIGTERM).
    ///
    /// - Parameters:
    ///   - port: 0 picks a free port; `onStart` gets the bound one.
    ///   - maxBodyBytes: larger request bodies are refused (413).
    ///   - logLevel: Hummingbird's log level (stderr); tests pass `.critical` to silence shutdown noise.
    public func run(host: String = "127.0.0.1", port: Int = 8000, handleSignals: Bool = false, maxBodyBytes: Int = 64 << 20,
                    logLevel: Logger.Level = .notice,
                    onStart: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let state = self.state
        if let path = state.configuration.statePath { try await state.restore(from: path) }
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: maxBodyBytes)
            } catch {
                let body = APIError(413, "REQUEST_TOO_LARGE", "Request body larger than \(maxBodyBytes) bytes").body(requestID: UUID().uuidString.lowercased())
                return Response(status: .contentTooLarge, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body.serializedData(numbers: .python))))
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            var emulatorRequest = EmulatorRequest(method: request.method.rawValue, path: request.uri.path,
                                                  query: EmulatorRequest.parseQuery(request.uri.query), headers: headers,
                                                  body: Data(buffer.readableBytesView))
            // Parsed here, not on the actor every request waits for; a large body on a Dispatch
            // worker thread, so that it holds up neither the event loop its connection shares nor
            // the few threads Swift concurrency runs every task and the actor on.
            if emulatorRequest.body.count < 64 << 10 {
                (emulatorRequest.prepared, emulatorRequest.taskKeys) = PreparedBody.prepareWithKeys(emulatorRequest)
            } else {
                let unprepared = emulatorRequest
                (emulatorRequest.prepared, emulatorRequest.taskKeys) = await withCheckedContinuation { continuation in
                    DispatchQueue.global(qos: .utility).async { continuation.resume(returning: PreparedBody.prepareWithKeys(unprepared)) }
                }
            }
            let reply = await state.handle(emulatorRequest)
            var fields = HTTPFields()
            for (name, value) in reply.headers {
                switch name.lowercased() {
                case "content-type": fields[.contentType] = value
                case "retry-after": fields[.retryAfter] = value
                default: break
                }
            }
            let status = HTTPResponse.Status(code: reply.status)
            if reply.dropConnection {
                fields[.contentLength] = String(reply.body.count)
                let half = ByteBuffer(bytes: reply.body.prefix(reply.body.count / 2))
                return Response(status: status, headers: fields, body: ResponseBody(contentLength: reply.body.count) { writer in
                    try await writer.write(half)
                    throw DroppedConnection()
                })
            }
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onStart(channel.localAddress?.port ?? port) },
            logger: {
                var logger = Logger(label: "tally.emulator")
                logger.logLevel = logLevel
                return logger
            }()
        )
        if handleSignals {
            try await app.runService()
        } else {
            try await app.runService(gracefulShutdownSignals: [])
        }
    }
}

/// Thrown inside a response body to cut the connection (fault injection).
struct DroppedConnection: Error {}
