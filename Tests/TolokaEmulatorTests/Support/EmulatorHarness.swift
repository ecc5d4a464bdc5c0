import Foundation
import TallyCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import TolokaEmulator

/// A clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Double

    init(_ start: Double = 1_780_000_000) { t = start }

    var now: Double { lock.withLock { t } }
    func advance(_ seconds: Double) { lock.withLock { t += seconds } }
}

/// An emulator running in-process on a free loopback port, and a small URLSession client for it.
struct RunningEmulator {
    let port: Int
    let task: Task<Void, any Error>
    let state: EmulatorState
    let token: String?
    let session: URLSession

    static func start(_ configuration: EmulatorConfiguration, clock: ManualClock? = nil) async throws -> RunningEmulator {
        let server: TolokaEmulatorServer
        if let clock {
            server = try TolokaEmulatorServer(configuration, now: { clock.now })
        } else {
            server = try TolokaEmulatorServer(configuration)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            try await server.run(host: "127.0.0.1", port: 0, logLevel: .critical) { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError("the server did not start") }
        let config = URLSessionConfiguration.ephemeral
        // Generous: Swift Testing runs suites in parallel on the cooperative pool (2 threads on a 2-core
        // machine), so CPU-bound tests elsewhere in the process can hold this in-process server off for
        // tens of seconds; 30 s timed out under a loaded whole-suite run.
        config.timeoutIntervalForRequest = 120
        return RunningEmulator(port: port, task: task, state: server.state, token: configuration.token, session: URLSession(configuration: config))
    }

    func stop() { task.cancel() }

    struct Reply {
        var status: Int
        var json: JSONValue?
        var headers: [String: String]
        var data: Data

        var code: String? { json?["code"]?.stringValue }
        var items: [JSONValue] { json?["items"]?.arrayValue ?? [] }
    }

    /// Sends a request; `token: .some(nil)` sends none.
    @discardableResult
    func send(_ method: String, _ path: String, query: [String: String] = [:], json: JSONValue? = nil, raw: Data? = nil,
              token: String?? = .none, contentType: String? = "application/json") async throws -> Reply {
        var components = URLComponents(string: "http://127.0.0.1:\(port)\(path)")!
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        let credential: String? = token ?? self.token ?? "any-token"
        if let credential { request.setValue("OAuth \(credential)", forHTTPHeaderField: "Authorization") }
        if let body = raw ?? json?.serializedData(numbers: .python) {
            request.httpBody = body
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, json: data.isEmpty ? nil : try? JSONValue(parsing: data), headers: headers, data: data)
    }

    /// Polls an operation until it is terminal; returns every status seen.
    func waitOperation(_ op: JSONValue) async throws -> (JSONValue, [String]) {
        var statuses = [op["status"]?.stringValue ?? "?"]
        var current = op
        for _ in 0..<50 {
            if ["SUCCESS", "FAIL"].contains(current["status"]?.stringValue ?? "") { return (current, statuses) }
            let r = try await send("GET", "/api/v1/operations/\(op["id"]!.stringValue!)")
            current = r.json!
            statuses.append(current["status"]?.stringValue ?? "?")
        }
        throw HarnessError("operation \(op["id"]?.stringValue ?? "") did not finish")
    }

    /// Every item of a list endpoint, paging with `sort=id` and `id_gt` (spec §1.7).
    func listAll(_ path: String, query: [String: String], limit: Int) async throws -> (items: [JSONValue], pages: Int) {
        var items: [JSONValue] = []
        var q = query
        q["sort"] = "id"
        q["limit"] = String(limit)
        var pages = 0
        while true {
            let r = try await send("GET", path, query: q)
            guard r.status == 200 else { throw HarnessError("\(path): HTTP \(r.status) \(String(decoding: r.data, as: UTF8.self))") }
            pages += 1
            items += r.items
            guard r.json?["has_more"]?.boolValue == true, let last = r.items.last?["id"]?.stringValue else { return (items, pages) }
            q["id_gt"] = last
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// The notebook's objects as toloka-kit sends them (spec §3–§5, §12).
enum Notebook {
    static let project: JSONValue = [
        "public_name": "Is it a male or female speaker?",
        "public_description": "Listen to the audio and tell whether the speaker is male or female",
        "public_instructions": "Listen and choose.",
        "assignments_issuing_type": "AUTOMATED",
        "task_spec": [
            "input_spec": ["path": ["type": "url", "required": true, "hidden": false]],
            "output_spec": ["result": ["type": "string", "required": true, "hidden": false]],
            "view_spec": [
                "type": "tb",
                "config": .string(#"{"view": {"type": "view.list", "items": [{"type": "view.audio", "url": {"type": "data.input", "path": "path"}, "validation": {"type": "condition.played", "hint": "you need to listen to the audio"}}, {"type": "field.button-radio-group", "data": {"type": "data.output", "path": "result"}, "label": "Is it a male or female speaker?", "options": [{"value": "female", "label": "Female"}, {"value": "male", "label": "Male"}], "validation": {"type": "condition.required"}}]}, "plugins": [{"type": "plugin.toloka", "layout": {"kind": "scroll", "taskWidth": 300}}]}"#),
                "lock": ["core": "1.0.0", "view.list": "1.0.0", "view.audio": "1.0.0", "field.button-radio-group": "1.0.0"],
                "inferDataSpec": false,
            ],
        ],
    ]

    static func pool(projectID: String) -> JSONValue {
        [
            "project_id": .string(projectID),
            "private_name": "Is it a male or female speaker",
            "may_contain_adult_content": false,
            "reward_per_assignment": 0.01,
            "assignment_max_duration_seconds": 1200,
            "defaults": ["default_overlap_for_new_task_suites": 3],
            "will_expire": "2099-01-01T00:00:00",
            "filter": ["and": [
                ["or": [["category": "profile", "key": "languages", "operator": "IN", "value": "EN"]]],
                ["or": [["category": "computed", "key": "client_type", "operator": "EQ", "value": "TOLOKA_APP"],
                        ["category": "computed", "key": "client_type", "operator": "EQ", "value": "BROWSER"]]],
            ]],
            "quality_control": ["configs": [[
                "collector_config": ["type": "GOLDEN_SET", "parameters": ["history_size": 10]],
                "rules": [[
                    "conditions": [["key": "golden_set_correct_answers_rate", "operator": "LTE", "value": 80.0],
                                   ["key": "golden_set_answers_count", "operator": "GTE", "value": 1]],
                    "action": ["type": "RESTRICTION_V2", "parameters": ["scope": "POOL", "duration": 3, "duration_unit": "DAYS", "private_comment": "bad quality"]],
                ]],
            ]]],
            "mixer_config": ["real_tasks_count": 4, "golden_tasks_count": 1, "training_tasks_count": 0],
        ]
    }

    /// `(url, sex)` rows, seeded: the offline stand-in for the notebook's TSV.
    static func voices(_ n: Int = 120, seed: UInt64 = 7) -> [(url: String, sex: String)] {
        var g = SplitMix64(seed: seed)
        return (0..<n).map { i in (String(format: "https://tally.invalid/voices/%04d.wav", i), g.next() % 2 == 0 ? "male" : "female") }
    }

    static func truthTSV(_ rows: [(url: String, sex: String)]) -> String {
        "url\tsex\n" + rows.map { "\($0.url)\t\($0.sex)" }.joined(separator: "\n") + "\n"
    }

    /// 20 golden (infinite overlap) + 100 real tasks with toloka-kit's `__item_idx`.
    static func tasks(poolID: String, rows: [(url: String, sex: String)], golden: Int = 20) -> JSONValue {
        .array(rows.enumerated().map { i, row in
            var o: [String: JSONValue] = ["pool_id": .string(poolID), "input_values": ["path": .string(row.url)], "__item_idx": .string(String(i))]
            if i < golden {
                o["known_solutions"] = [["output_values": ["result": .string(row.sex)]]]
                o["infinite_overlap"] = true
                o["overlap"] = .null
            }
            return .object(o)
        })
    }
}
