import Foundation
import TallyCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request. Its description leaves out the `Authorization` header.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    /// The HTTP method, upper case (`GET`, `POST`, …).
    public var method: String
    /// The full URL, query string included.
    public var url: URL
    /// Header name → value. The client sets `User-Agent`, `Accept`, `Authorization` and, with a body,
    /// `Content-Type`.
    public var headers: [String: String]
    /// The request body (JSON for Toloka), or nil for none.
    public var body: Data?

    /// A request; `headers` maps header names to values.
    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
    }

    /// `METHOD URL`, without headers or body (so never the credential).
    public var description: String { "\(method) \(url.absoluteString)" }
}

/// One HTTP response; header names are lower-cased.
public struct HTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header name (lower case) → value.
    public var headers: [String: String]
    /// The response body (empty for 204).
    public var body: Data
    /// A response, e.g. from a test transport; header names should be lower case.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status; self.headers = headers; self.body = body
    }
}

/// Sends requests. The client's only access to the network: tests and `--dry-run` wrap or
/// replace it.
public protocol HTTPTransport: Sendable {
    /// Sends one request. Throws ``TransportError`` (retried by the client) when no response came.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// No response: the connection failed, dropped or timed out. The client retries these.
public struct TransportError: LocatedError {
    /// What went wrong, naming the request's method and path (never its headers).
    public var message: String
    /// A transport error with this message.
    public init(_ message: String) { self.message = message }
    /// Always nil: the ``description`` is the ``message``.
    public var location: String? { nil }
}

/// The default transport: Foundation's `URLSession` (FoundationNetworking on Linux).
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    private let session: URLSession

    /// - Parameter timeout: seconds to wait for a response (default 60; toloka-kit waits 10 s,
    ///   the Java SDK 120 s).
    public init(timeout: TimeInterval = 60) {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = max(timeout * 5, 300)
        config.httpCookieStorage = nil
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: config)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Sends the request with `URLSession`. Throws ``TransportError`` when no HTTP response came
    /// (connection refused, dropped, timed out); any HTTP status, 4xx and 5xx included, is returned.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var r = URLRequest(url: request.url)
        r.httpMethod = request.method
        for (k, v) in request.headers { r.setValue(v, forHTTPHeaderField: k) }
        r.httpBody = request.body
        let session = self.session
        return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<HTTPResponse, any Error>) in
            let task = session.dataTask(with: r) { data, response, error in
                if let error {
                    // The message names the URL and the failure, never the headers.
                    let e = error as NSError
                    cont.resume(throwing: TransportError("\(request.method) \(request.url.path): \(e.localizedDescription) (\(e.domain) \(e.code))"))
                    return
                }
                guard let http = response as? HTTPURLResponse else {
                    cont.resume(throwing: TransportError("\(request.method) \(request.url.path): no HTTP response"))
                    return
                }
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields {
                    if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
                }
                cont.resume(returning: HTTPResponse(status: http.statusCode, headers: headers, body: data ?? Data()))
            }
            task.resume()
        }
    }
}
