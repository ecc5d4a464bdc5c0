import Foundation

/// A request as the emulator's core sees it, independent of the HTTP server library.
public struct EmulatorRequest: Sendable {
    /// The HTTP method in upper case (`GET`, `POST`, …).
    public var method: String
    /// The path without the query, e.g. `/api/v1/pools/12`.
    public var path: String
    /// Decoded query parameters (the last value wins when a name repeats).
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    /// The raw body (JSON for every route that takes one).
    public var body: Data
    /// The body as the server prepared it outside the actor (nil: the route reads ``body``).
    var prepared: PreparedBody?
    /// For a task upload prepared by the server: each item's ``CrowdTask/key(inputs:)``, hashed
    /// outside the actor with the parse (nil: the handler hashes them itself).
    var taskKeys: [UInt64]?

    /// A request; `method` is upper-cased.
    ///
    ///     let request = EmulatorRequest(method: "GET", path: "/api/v1/pools", query: ["limit": "5"],
    ///                                   headers: ["authorization": "OAuth my-token"])
    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: Data = Data()) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits `a=1&b=x%20y` into decoded pairs (`+` is a space).
    public static func parseQuery(_ query: String?) -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for part in query.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let plus = s.replacingOccurrences(of: "+", with: " ")
                return plus.removingPercentEncoding ?? plus
            }
            out[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return out
    }
}
