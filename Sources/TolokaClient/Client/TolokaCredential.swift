import Foundation

/// The secret that authorises requests, sent as `Authorization: ApiKey …` (API keys from
/// Toloka's Profile → Integrations) or `Authorization: OAuth …` (legacy OAuth tokens and Yandex
/// Tasks). Its description, debug description and mirror show only the scheme: the secret never
/// reaches a log, an error or a state file. It is read from an environment variable or a file,
/// never from a command-line argument.
public struct TolokaCredential: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The `Authorization` scheme; the raw value is the word sent before the secret.
    public enum Scheme: String, Sendable, CaseIterable {
        /// `ApiKey <key>`: Toloka API keys.
        case apiKey = "ApiKey"
        /// `OAuth <token>`: legacy Toloka OAuth tokens, and Yandex Tasks.
        case oauth = "OAuth"
    }

    /// How the secret is sent.
    public let scheme: Scheme
    private let secret: String

    /// A credential with an explicit scheme.
    public init(_ secret: String, scheme: Scheme) {
        self.secret = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        self.scheme = scheme
    }

    /// A credential whose scheme is given in the text (`ApiKey xxx`, `OAuth xxx`) or, failing that,
    /// guessed as toloka-kit does: exactly two `.` with the first at index 22–24 → API key.
    public init(guessing text: String) {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        for s in Scheme.allCases where t.hasPrefix(s.rawValue + " ") {
            self.init(String(t.dropFirst(s.rawValue.count + 1)), scheme: s)
            return
        }
        self.init(t, scheme: TolokaCredential.looksLikeAPIKey(t) ? .apiKey : .oauth)
    }

    static func looksLikeAPIKey(_ t: String) -> Bool {
        let dots = t.enumerated().filter { $0.element == "." }.map(\.offset)
        return dots.count == 2 && (22...24).contains(dots[0])
    }

    /// Reads the credential from the environment variable `name` (the scheme guessed as in
    /// ``init(guessing:)`` unless `scheme` is given). Throws ``TolokaError`` (`.invalidInput`)
    /// when the variable is unset or blank.
    public static func environment(_ name: String, scheme: Scheme? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TolokaCredential {
        guard let v = environment[name], !v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw TolokaError.invalidInput("the environment variable \(name) is not set or empty; export the Toloka API key in it (or use --token-file)")
        }
        return scheme.map { TolokaCredential(v, scheme: $0) } ?? TolokaCredential(guessing: v)
    }

    /// Reads the credential from the first line of the file at `path` (the scheme guessed unless
    /// given). Throws ``TolokaError`` (`.invalidInput`) when the file cannot be read or is empty.
    public static func file(_ path: String, scheme: Scheme? = nil) throws -> TolokaCredential {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TolokaError.invalidInput("\(path): cannot read the token file")
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw TolokaError.invalidInput("\(path): the token file is empty")
        }
        return scheme.map { TolokaCredential(line, scheme: $0) } ?? TolokaCredential(guessing: line)
    }

    /// The `Authorization` header value. Only the transport calls this.
    var authorizationHeader: String { "\(scheme.rawValue) \(secret)" }

    /// True if `text` contains the secret (for redaction checks).
    func appears(in text: String) -> Bool { !secret.isEmpty && text.contains(secret) }

    /// Replaces every occurrence of the secret in `text` with `‹redacted›`.
    public func redact(_ text: String) -> String {
        secret.isEmpty ? text : text.replacingOccurrences(of: secret, with: "‹redacted›")
    }

    /// `ApiKey ‹redacted›` or `OAuth ‹redacted›`: never the secret.
    public var description: String { "\(scheme.rawValue) ‹redacted›" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// A mirror showing only the scheme, so `dump` and debuggers never show the secret.
    public var customMirror: Mirror { Mirror(self, children: ["scheme": scheme], displayStyle: .struct) }
}

/// Where the API is: the root every request path (`v1/pools`, …) is appended to.
public enum TolokaEnvironment: Sendable, Hashable, CustomStringConvertible {
    /// `https://toloka.dev/api`.
    case production
    /// Tally's emulator (or any Toloka-compatible server) on loopback: `http://127.0.0.1:PORT/api`.
    case emulator(port: Int)
    /// Any API root, e.g. `https://tasks.yandex.ru/api` or an on-premise deployment. A URL
    /// without a path gets `/api` appended.
    case custom(URL)

    static let productionURL = URL(string: "https://toloka.dev/api")!

    /// The API root every path is appended to (it ends in `/api`).
    public var baseURL: URL {
        switch self {
        case .production: return TolokaEnvironment.productionURL
        case .emulator(let port): return URL(string: "http://127.0.0.1:\(port)/api")!
        case .custom(let url):
            let path = url.path
            if path.isEmpty || path == "/" { return url.appendingPathComponent("api") }
            return url
        }
    }

    /// Parses `production`, `emulator` (port 8000), `emulator:PORT`, or a URL.
    public init?(argument: String) {
        switch argument {
        case "production": self = .production
        case "emulator": self = .emulator(port: 8000)
        default:
            if argument.hasPrefix("emulator:"), let p = Int(argument.dropFirst("emulator:".count)) {
                self = .emulator(port: p)
            } else if let url = URL(string: argument), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil {
                self = .custom(url)
            } else {
                return nil
            }
        }
    }

    /// The API root URL as text.
    public var description: String { baseURL.absoluteString }
}
