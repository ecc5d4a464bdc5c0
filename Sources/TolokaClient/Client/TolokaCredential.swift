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
    /// when the variable is unset or blank, or the credential is shorter than ``minimumLength``.
    public static func environment(_ name: String, scheme: Scheme? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TolokaCredential {
        guard let v = environment[name], !v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw TolokaError.invalidInput("the environment variable \(name) is not set or empty; export the Toloka API key in it (or use --token-file)")
        }
        return try (scheme.map { TolokaCredential(v, scheme: $0) } ?? TolokaCredential(guessing: v)).checkedLength(source: "the environment variable \(name)")
    }

    /// Reads the credential from the first line of the file at `path` (the scheme guessed unless
    /// given). Throws ``TolokaError`` (`.invalidInput`) when the file cannot be read or is empty,
    /// or the credential is shorter than ``minimumLength``.
    public static func file(_ path: String, scheme: Scheme? = nil) throws -> TolokaCredential {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TolokaError.invalidInput("\(path): cannot read the token file")
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw TolokaError.invalidInput("\(path): the token file is empty")
        }
        return try (scheme.map { TolokaCredential(line, scheme: $0) } ?? TolokaCredential(guessing: line)).checkedLength(source: path)
    }

    /// The `Authorization` header value. Only the transport calls this.
    var authorizationHeader: String { "\(scheme.rawValue) \(secret)" }

    /// True if `text` contains the secret (for redaction checks).
    func appears(in text: String) -> Bool { !secret.isEmpty && text.contains(secret) }

    /// The shortest credential ``environment(_:scheme:environment:)`` and ``file(_:scheme:)``
    /// accept: a shorter one could not be told apart from ordinary words in a log line, so
    /// redacting it would mangle the line and hint at the secret. Toloka's API keys and OAuth
    /// tokens are far longer.
    public static let minimumLength = 8

    /// Replaces every whole occurrence of the secret in `text` with `‹redacted›`: one not
    /// touching a letter, digit, `-` or `_` on either side, so that the secret inside a longer
    /// word is left alone (`ab` is not redacted in `tab`) while a secret in a URL, a header or a
    /// sentence (`token=SECRET&`, `OAuth SECRET.`) is.
    public func redact(_ text: String) -> String {
        guard !secret.isEmpty else { return text }
        let s = Array(text.unicodeScalars), t = Array(secret.unicodeScalars)
        guard s.count >= t.count else { return text }
        func isWordScalar(_ c: Unicode.Scalar) -> Bool {
            c == "-" || c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
        }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if i + t.count <= s.count, s[i] == t[0], Array(s[i..<(i + t.count)]) == t,
               i == 0 || !isWordScalar(s[i - 1]), i + t.count == s.count || !isWordScalar(s[i + t.count]) {
                out.append(contentsOf: "‹redacted›".unicodeScalars)
                i += t.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Throws ``TolokaError`` (`.invalidInput`) when the secret is shorter than ``minimumLength``;
    /// `source` names where it came from.
    func checkedLength(source: String) throws -> TolokaCredential {
        guard secret.count >= Self.minimumLength else {
            throw TolokaError.invalidInput("\(source) holds a credential of \(secret.count) character\(secret.count == 1 ? "" : "s"); at least \(Self.minimumLength) are required (Toloka API keys and OAuth tokens are much longer, and a short one cannot be redacted from logs safely)")
        }
        return self
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
