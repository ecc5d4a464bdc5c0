import Foundation
import TallyCore

/// What the core answers, independent of the HTTP server library.
public struct EmulatorResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Response headers in order (`Content-Type`, and `Retry-After` on 429s).
    public var headers: [(String, String)]
    /// The body: Toloka-shaped JSON, a TSV file, or empty (204).
    public var body: Data
    /// Fault injection: send the headers and part of the body, then close the connection.
    public var dropConnection = false

    /// A response with the given status, headers and body.
    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response, its numbers written as Toloka and toloka-kit write them (`3.0` stays a float).
    static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> EmulatorResponse {
        EmulatorResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: value.serializedData(numbers: .python))
    }
}
