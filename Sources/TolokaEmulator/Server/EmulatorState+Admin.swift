import Foundation
import TallyCore
import TallyQualityControl

/// A failure to inject (for clients' fault tests): `POST /_emulator/faults` with
/// `{"faults": [{"path_prefix": "/api/v1/assignments", "method": "GET", "status": 500, "count": 2, "skip": 0}]}`.
///
/// Each rule matches requests by method (optional) and path prefix (optional); it lets `skip`
/// matching requests through, then acts on the next `count` (default 1): `status` 429 answers
/// `TOO_MANY_REQUESTS` (with `Retry-After: retry_after` when given), 500 `INTERNAL_ERROR`, 503
/// `REMOTE_SERVICE_UNAVAILABLE`, other codes a generic error; `"drop": true` handles the request
/// normally, then sends the headers and half the body and closes the connection. Posting replaces
/// the list; `{"faults": []}` clears it. Fault requests still need the token; the rate limiter does
/// not see them.
struct FaultRule {
    var method: String?
    var pathPrefix: String?
    var status: Int?
    var retryAfter: Int?
    var drop: Bool
    var remaining: Int
    var skip: Int
}

extension EmulatorState {
    enum FaultOutcome { case respond(EmulatorResponse), drop }

    /// Finds and uses up the first matching fault rule.
    func matchFault(_ r: EmulatorRequest) -> FaultOutcome? {
        guard !r.path.hasPrefix("/_emulator") else { return nil }
        for i in faults.indices where faults[i].remaining > 0 {
            let f = faults[i]
            if let m = f.method, m.uppercased() != r.method { continue }
            if let p = f.pathPrefix, !r.path.hasPrefix(p) { continue }
            if f.skip > 0 {
                faults[i].skip -= 1
                continue
            }
            faults[i].remaining -= 1
            if f.drop { return .drop }
            let status = f.status ?? 500
            var e: APIError
            switch status {
            case 429: e = APIError(429, "TOO_MANY_REQUESTS", "Too many requests (injected fault)")
            case 500: e = APIError(500, "INTERNAL_ERROR", "Internal error (injected fault)")
            case 503: e = APIError(503, "REMOTE_SERVICE_UNAVAILABLE", "Service unavailable (injected fault)")
            default: e = APIError(status, "INJECTED_FAULT", "Injected fault")
            }
            if let ra = f.retryAfter { e.headers = [("Retry-After", String(ra))] }
            return .respond(.json(status, e.body(requestID: requestRNG.uuid()), headers: e.headers))
        }
        return nil
    }

    func setFaults(_ body: JSONValue) throws -> JSONValue {
        guard let list = body["faults"]?.arrayValue else { throw APIError.validation("faults", "VALUE_REQUIRED", "Expected {\"faults\": [...]}") }
        var rules: [FaultRule] = []
        for (i, f) in list.enumerated() {
            guard let o = f.objectValue else { throw APIError.validation("faults.\(i)", "OBJECT_EXPECTED", "Expected an object") }
            var v = Validator(o, prefix: "faults.\(i)")
            let rule = FaultRule(method: v.string("method"), pathPrefix: v.string("path_prefix"), status: v.integer("status", min: 400, max: 599),
                                 retryAfter: v.integer("retry_after", min: 0), drop: v.bool("drop") ?? false,
                                 remaining: v.integer("count", min: 0) ?? 1, skip: v.integer("skip", min: 0) ?? 0)
            guard v.isValid else { throw APIError.validation(v.errors) }
            rules.append(rule)
        }
        faults = rules
        return ["faults": .int(Int64(rules.count))]
    }

    // MARK: - Introspection (not part of Toloka's API)

    /// `GET /_emulator/status`: clock, counts, requests by HTTP status, the notes logged.
    func emulatorStatus() -> JSONValue {
        [
            "now": .string(TolokaTime.format(clock.now())),
            "speed": configuration.speed.map(JSONValue.double) ?? "instant",
            "projects": .int(Int64(projects.count)), "pools": .int(Int64(pools.count)),
            "tasks": .int(Int64(taskPools.count)),
            "assignments": .int(Int64(pools.values.reduce(0) { $0 + $1.assignments.count })),
            "operations": .int(Int64(operations.count)),
            "responses_by_status": .object(Dictionary(uniqueKeysWithValues: statusCounts.map { (String($0.key), JSONValue.int(Int64($0.value))) })),
            "notes": .array(notes.map(JSONValue.string)),
        ]
    }

    /// `GET /_emulator/crowd`: the simulated Tolokers (id, kind, accuracy, languages, client type).
    func crowdJSON() -> JSONValue {
        ["workers": .array(world.workers.map { w in
            ["user_id": .string(w.id), "kind": .string(w.kind), "accuracy": w.accuracy.map(JSONValue.double) ?? .null,
             "languages": .array(w.languages.map(JSONValue.string)), "client_type": .string(w.clientType)]
        })]
    }

    /// `GET /_emulator/pools/{id}/truth`: the general tasks' hidden true labels as a TSV `task<TAB>label`
    /// (the file `tally evaluate --gold` reads). A task is named by its input values in field-name order
    /// joined by ` | ` — for one input field, its value: the name `tally toloka run` gives it in answers.tsv.
    func truthTSV(_ id: String) throws -> String {
        let pool = try pool(id)
        let fields = projects[pool.projectID]?.inputSpec.keys.sorted() ?? []
        var lines = ["task\tlabel"]
        var seen = Set<String>()
        for i in pool.generalTasks {
            let t = pool.tasks[i]
            let inputs = t.json["input_values"]?.objectValue ?? [:]
            let names = fields.isEmpty ? inputs.keys.sorted() : fields
            let name = names.map { inputs[$0].map { $0 == .null ? "" : $0.labelText } ?? "" }.joined(separator: " | ")
            guard seen.insert(name).inserted else { continue }
            let clean = { (s: String) in s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
            lines.append(clean(name) + "\t" + clean(t.truth))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `GET /_emulator/pools/{id}/quality-control-log`: every action the pool's rules took, in order.
    func qualityControlLog(_ id: String) throws -> JSONValue {
        let pool = try pool(id)
        return ["items": .array(pool.engine.actions.map { a in
            var o: [String: JSONValue] = [
                "time": .string(TolokaTime.format(a.time)), "user_id": .string(world.workers[Int(a.worker)].id),
                "rule": .string(a.rulePath), "action": .string(a.action.kind.rawValue),
                "values": .object(Dictionary(a.values.map { ($0.key.rawValue, JSONValue.double($0.value)) }, uniquingKeysWith: { $1 })),
            ]
            if let end = a.restrictionEnd { o["restriction_end"] = end.isFinite ? .string(TolokaTime.format(end)) : "PERMANENT" }
            if let s = a.skillValue { o["skill_value"] = .double(s) }
            return .object(o)
        })]
    }
}
