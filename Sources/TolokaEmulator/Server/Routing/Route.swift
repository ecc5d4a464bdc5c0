import Foundation
import TallyCore

/// The rate limit a route draws on (`--rate-limit CATEGORY=N/UNIT`).
///
/// Every request counts against `all`; a route in another category counts against that one as
/// well. `tasks` counts requests, not the tasks in them.
enum RateCategory: String, Sendable, CaseIterable {
    /// Only the overall budget.
    case all
    /// `POST /api/v1/projects`.
    case projects
    /// `POST /api/v1/pools`.
    case pools
    /// `POST /api/v1/tasks`.
    case tasks
    /// `POST /api/staging/analytics-2`.
    case analytics
    /// `GET /api/v1/assignments`.
    case assignments
}

/// One entry of the route table: a method, a path pattern, the rate limit it draws on, and the
/// handler that answers it.
struct Route: Sendable {
    /// The HTTP methods the route table uses. A request with any other method on a known path
    /// answers 405 `METHOD_NOT_ALLOWED`.
    enum Method: String, Sendable, CaseIterable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH"
    }

    let method: Method
    let pattern: PathPattern
    let rate: RateCategory
    let handler: @Sendable (RouteContext) throws -> EmulatorResponse

    /// A route whose handler builds the whole response (status, headers, body).
    init(_ method: Method, _ pattern: String, rate: RateCategory = .all,
         respond handler: @escaping @Sendable (RouteContext) throws -> EmulatorResponse) {
        self.method = method
        self.pattern = PathPattern(pattern)
        self.rate = rate
        self.handler = handler
    }

    /// A route that answers `status` with the JSON its handler returns.
    init(_ method: Method, _ pattern: String, rate: RateCategory = .all, status: Int = 200,
         json handler: @escaping @Sendable (RouteContext) throws -> JSONValue) {
        self.init(method, pattern, rate: rate, respond: { .json(status, try handler($0)) })
    }

    /// A route that answers 200 with a tab-separated text file.
    init(_ method: Method, _ pattern: String, rate: RateCategory = .all,
         tsv handler: @escaping @Sendable (RouteContext) throws -> String) {
        self.init(method, pattern, rate: rate, respond: {
            EmulatorResponse(status: 200, headers: [("Content-Type", "text/tab-separated-values; charset=utf-8")], body: Data(try handler($0).utf8))
        })
    }

    /// The emulator's own routes (`/_emulator/…`), which are not part of Toloka's API.
    var isEmulatorRoute: Bool { pattern.segments.first == .literal("_emulator") }

    /// Whether a successful request on this route goes into the `--state` journal: every API
    /// request that can change something (not `GET`, not the emulator's own routes).
    var isJournalled: Bool { method != .get && !isEmulatorRoute }
}

/// A path such as `/api/v1/pools/{pool:int}/open`: literal segments and named parameters.
///
/// `{name}` takes any one segment. `{name:int}` takes a positive integer id (projects and pools
/// have those); a segment that is not one answers 404 `DOES_NOT_EXIST` with the message
/// "`Name` with id `segment` does not exist", as an id naming no object does.
struct PathPattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case string(String)
        case integer(String)
    }

    let segments: [Segment]
    let description: String

    /// Parses a pattern; a malformed one (an empty or unknown parameter type) is a programming error.
    init(_ text: String) {
        description = text
        segments = text.split(separator: "/").map { part in
            guard part.hasPrefix("{"), part.hasSuffix("}") else { return .literal(String(part)) }
            let inner = part.dropFirst().dropLast().split(separator: ":", maxSplits: 1).map(String.init)
            precondition(inner.first.map { !$0.isEmpty } ?? false, "route pattern \(text): empty parameter name")
            switch inner.count == 2 ? inner[1] : "string" {
            case "string": return .string(inner[0])
            case "int": return .integer(inner[0])
            default: preconditionFailure("route pattern \(text): unknown parameter type in \(part)")
            }
        }
    }

    /// The raw parameter values, in order, when `path` (split into segments) has this pattern's shape.
    func captures(_ path: [Substring]) -> [String]? {
        guard path.count == segments.count else { return nil }
        var values: [String] = []
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let text): if part != text { return nil }
            case .string, .integer: values.append(String(part))
            }
        }
        return values
    }

    /// The parameters' names, in order.
    var parameterNames: [String] {
        segments.compactMap {
            switch $0 {
            case .literal: nil
            case .string(let name), .integer(let name): name
            }
        }
    }

    /// Checks the captured values against the parameters' types and names them.
    func parameters(_ values: [String]) throws(APIError) -> PathParameters {
        var named: [String: String] = [:]
        var integers: [String: Int] = [:]
        var i = 0
        for segment in segments {
            switch segment {
            case .literal: continue
            case .string(let name): named[name] = values[i]
            case .integer(let name):
                guard let n = Int(values[i]), n > 0 else { throw APIError.notFound(name.prefix(1).uppercased() + name.dropFirst(), values[i]) }
                named[name] = values[i]
                integers[name] = n
            }
            i += 1
        }
        return PathParameters(values: named, integers: integers)
    }
}

/// The values of a matched route's path parameters.
struct PathParameters: Sendable {
    fileprivate(set) var values: [String: String]
    fileprivate(set) var integers: [String: Int]

    /// The parameter as it appeared in the path.
    subscript(_ name: String) -> String {
        guard let value = values[name] else { preconditionFailure("the route has no parameter \(name)") }
        return value
    }

    /// An `{name:int}` parameter's value.
    func int(_ name: String) -> Int {
        guard let value = integers[name] else { preconditionFailure("the route has no integer parameter \(name)") }
        return value
    }
}

/// What a route's handler works with: the store, the request, its path parameters, and the
/// emulator's fault rules and response counts (for the `/_emulator` routes).
struct RouteContext {
    let store: EmulatorStore
    let request: EmulatorRequest
    let parameters: PathParameters
    let faults: FaultInjection
    let statusCounts: StatusCounting

    var query: [String: String] { request.query }

    /// The request's JSON body: 415 `UNSUPPORTED_MEDIA_TYPE` for another declared content type,
    /// 400 `VALIDATION_ERROR` when it is empty or not JSON, and for a task upload over Toloka's
    /// per-request limits 413 (too many tasks) or 400 (too many bytes), as ``PreparedBody`` says.
    func body() throws -> JSONValue {
        if let type = request.headers["content-type"], !type.lowercased().contains("json") {
            throw APIError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json, got \(type)")
        }
        guard !request.body.isEmpty else { throw APIError(400, "VALIDATION_ERROR", "Request body is required") }
        let malformed = APIError(400, "VALIDATION_ERROR", "Request body is not valid JSON", payload: ["body": FieldError("INVALID_JSON", "Malformed JSON").json])
        // Not prepared by the server (a replayed journal entry, a request handed to the core
        // directly): the same preparation, here.
        switch request.prepared ?? PreparedBody.prepare(request) {
        case .json(let value)?: return value
        case .tooLarge(let error)?: throw error
        case .malformed?, nil: throw malformed
        }
    }
}
