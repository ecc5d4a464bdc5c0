import Foundation
import TallyCore

/// A failure talking to Toloka, with Toloka's own `code`, `message` and `request_id` when the
/// server sent them. Never carries the credential.
public struct TolokaError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; the CLI maps kinds to exit codes.
    public enum Kind: String, Sendable {
        /// The server answered with a non-2xx status (see `status`, `code`).
        case api
        /// No usable answer: connection refused or dropped, timeout, DNS (after the retries).
        case transport
        /// The answer was not the JSON expected.
        case decoding
        /// An operation ended in `FAIL`.
        case operationFailed
        /// Waiting for an operation or pool took longer than allowed.
        case timeout
        /// Bad input on Tally's side (workflow file, task list, credential source).
        case invalidInput
        /// State kept by Tally does not match the server (a resume cannot continue safely).
        case conflict
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The HTTP status, for `.api`.
    public var status: Int?
    /// Toloka's error code (`VALIDATION_ERROR`, `TOO_MANY_REQUESTS`, `DOES_NOT_EXIST`, …).
    public var code: String?
    /// What went wrong: Toloka's `message` for `.api`, Tally's own text otherwise.
    public var message: String
    /// Toloka's `request_id`, to quote to Toloka's support.
    public var requestID: String?
    /// Toloka's `payload`: field-level details of a `VALIDATION_ERROR` (field path → `code`,
    /// `message`), the exhausted quota (`interval`: `MIN`, `HOUR`, `DAY`) of a 429, and so on.
    public var payload: JSONValue?
    /// `GET /api/v1/pools/123` — the method and path of the request (no query, no headers).
    public var request: String?
    /// How many attempts were made.
    public var attempts: Int

    /// An error; `attempts` counts the requests made, retries included.
    package init(kind: Kind, status: Int? = nil, code: String? = nil, message: String, requestID: String? = nil,
                payload: JSONValue? = nil, request: String? = nil, attempts: Int = 1) {
        self.kind = kind; self.status = status; self.code = code; self.message = message; self.requestID = requestID
        self.payload = payload; self.request = request; self.attempts = attempts
    }

    static func invalidInput(_ message: String) -> TolokaError { TolokaError(kind: .invalidInput, message: message) }

    /// One line: request, HTTP status, code, message, request id, the number of attempts when more
    /// than one, and for a `VALIDATION_ERROR` its details.
    public var description: String {
        var s = ""
        if let request { s += "\(request): " }
        if let status { s += "HTTP \(status) " }
        if let code { s += "\(code): " }
        s += message
        if let requestID { s += " (request_id \(requestID))" }
        if attempts > 1 { s += " after \(attempts) attempts" }
        if kind == .api, code == "VALIDATION_ERROR", let payload { s += "; details: \(payload.serialized(numbers: .python))" }
        return s
    }
}
