import Foundation
import TallyCore

/// Failures to inject, for clients' fault tests: `POST /_emulator/faults` with
/// `{"faults": [{"path_prefix": "/api/v1/assignments", "method": "GET", "status": 500, "count": 2, "skip": 0}]}`.
///
/// Each rule matches requests by method (optional) and path prefix (optional); it lets `skip`
/// matching requests through, then acts on the next `count` (default 1): `status` 429 answers
/// `TOO_MANY_REQUESTS` (with `Retry-After: retry_after` when given), 500 `INTERNAL_ERROR`, 503
/// `REMOTE_SERVICE_UNAVAILABLE`, other codes a generic error; `"drop": true` handles the request
/// normally, then sends the headers and half the body and closes the connection. Posting replaces
/// the list; `{"faults": []}` clears it. Fault requests still need the token; the rate limiter does
/// not see them. The emulator's own routes (`/_emulator/…`) are never faulted.
final class FaultInjection: PipelineStage {
    struct Rule {
        var method: String?
        var pathPrefix: String?
        var status: Int?
        var retryAfter: Int?
        var drop: Bool
        var remaining: Int
        var skip: Int
    }

    private(set) var rules: [Rule] = []

    func respond(to exchange: inout Exchange, next: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse {
        guard let rule = take(exchange.request) else { return try next(&exchange) }
        guard rule.drop else { throw Self.error(for: rule) }
        var response = try next(&exchange)
        response.dropConnection = true
        return response
    }

    /// Finds and uses up the first rule that acts on `request`.
    private func take(_ request: EmulatorRequest) -> Rule? {
        guard !request.path.hasPrefix("/_emulator") else { return nil }
        for i in rules.indices where rules[i].remaining > 0 {
            let rule = rules[i]
            if let m = rule.method, m.uppercased() != request.method { continue }
            if let p = rule.pathPrefix, !request.path.hasPrefix(p) { continue }
            if rule.skip > 0 {
                rules[i].skip -= 1
                continue
            }
            rules[i].remaining -= 1
            return rule
        }
        return nil
    }

    private static func error(for rule: Rule) -> APIError {
        let status = rule.status ?? 500
        var e: APIError
        switch status {
        case 429: e = APIError(429, "TOO_MANY_REQUESTS", "Too many requests (injected fault)")
        case 500: e = APIError(500, "INTERNAL_ERROR", "Internal error (injected fault)")
        case 503: e = APIError(503, "REMOTE_SERVICE_UNAVAILABLE", "Service unavailable (injected fault)")
        default: e = APIError(status, "INJECTED_FAULT", "Injected fault")
        }
        if let ra = rule.retryAfter { e.headers = [("Retry-After", String(ra))] }
        return e
    }

    /// `POST /_emulator/faults`: replaces the rules; answers how many there are now.
    func replaceRules(_ body: JSONValue) throws -> JSONValue {
        guard let list = body["faults"]?.arrayValue else { throw APIError.validation("faults", "VALUE_REQUIRED", "Expected {\"faults\": [...]}") }
        var parsed: [Rule] = []
        for (i, f) in list.enumerated() {
            guard let o = f.objectValue else { throw APIError.validation("faults.\(i)", "OBJECT_EXPECTED", "Expected an object") }
            var v = Validator(o, prefix: "faults.\(i)")
            let rule = Rule(method: v.string("method"), pathPrefix: v.string("path_prefix"), status: v.integer("status", min: 400, max: 599),
                            retryAfter: v.integer("retry_after", min: 0), drop: v.bool("drop") ?? false,
                            remaining: v.integer("count", min: 0) ?? 1, skip: v.integer("skip", min: 0) ?? 0)
            guard v.isValid else { throw APIError.validation(v.errors) }
            parsed.append(rule)
        }
        rules = parsed
        return ["faults": .int(Int64(parsed.count))]
    }
}
