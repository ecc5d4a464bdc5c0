import Foundation
import TallyCore
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import TolokaEmulator

/// Toloka's error shape and codes for bad requests, and the server staying up (spec §1.4).
@Suite("Emulator: errors, rate limits, faults")
struct ErrorTests {
    /// Every error body has Toloka's four fields.
    func expectShape(_ r: RunningEmulator.Reply, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "\(String(decoding: r.data, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(r.code == code, sourceLocation: sourceLocation)
        #expect(r.json?["request_id"]?.stringValue?.count == 36, sourceLocation: sourceLocation)
        #expect(r.json?["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test("bad JSON, wrong types, unknown ids, pool state conflicts, missing token: Toloka's codes, and the server stays up")
    func errors() async throws {
        // A clock that stands still: the opened pool stays open while the test pokes it.
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(token: "T0", speed: 1, rateLimits: .none), clock: ManualClock())
        defer { emulator.stop() }

        // Authentication
        expectShape(try await emulator.send("GET", "/api/v1/requester", token: .some(nil)), 401, "AUTHENTICATION_ERROR")
        expectShape(try await emulator.send("GET", "/api/v1/requester", token: "wrong"), 401, "AUTHENTICATION_ERROR")
        #expect(try await emulator.send("GET", "/api/v1/requester", token: "T0").status == 200)

        // Bad JSON and wrong content type
        expectShape(try await emulator.send("POST", "/api/v1/projects", raw: Data("{\"public_name\": ".utf8)), 400, "VALIDATION_ERROR")
        expectShape(try await emulator.send("POST", "/api/v1/projects", raw: Data("[1,".utf8)), 400, "VALIDATION_ERROR")
        expectShape(try await emulator.send("POST", "/api/v1/projects", raw: Data("x=1".utf8), contentType: "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE")

        // Wrong types: field-level codes in payload
        let badProject = try await emulator.send("POST", "/api/v1/projects", json: ["public_name": 5, "task_spec": ["input_spec": ["path": ["type": "picture"]], "output_spec": "x"]])
        expectShape(badProject, 400, "VALIDATION_ERROR")
        #expect(badProject.json?["payload"]?["public_name"]?["code"]?.stringValue == "STRING_EXPECTED")
        #expect(badProject.json?["payload"]?["public_description"]?["code"]?.stringValue == "VALUE_REQUIRED")
        #expect(badProject.json?["payload"]?["task_spec.input_spec.path.type"]?["code"]?.stringValue == "UNKNOWN_ENUM_VALUE")
        #expect(badProject.json?["payload"]?["task_spec.output_spec"]?["code"]?.stringValue == "OBJECT_EXPECTED")

        let projectID = try await emulator.send("POST", "/api/v1/projects", json: Notebook.project).json!["id"]!.stringValue!
        var pool = Notebook.pool(projectID: projectID).objectValue!
        pool["reward_per_assignment"] = "cheap"
        pool["assignment_max_duration_seconds"] = 2.5
        pool["defaults"] = ["default_overlap_for_new_task_suites": 0]
        pool["will_expire"] = "tomorrow"
        pool["quality_control"] = ["configs": [["collector_config": ["type": "GOLDEN_SET"], "rules": [["conditions": [["key": "golden_set_correct_answers_rate", "operator": "GE", "value": 1]], "action": ["type": "RESTRICTION_V2", "parameters": ["scope": "POOL", "duration_unit": "PERMANENT"]]]]]]]
        let badPool = try await emulator.send("POST", "/api/v1/pools", json: .object(pool))
        expectShape(badPool, 400, "VALIDATION_ERROR")
        let payload = badPool.json?["payload"]
        #expect(payload?["reward_per_assignment"]?["code"]?.stringValue == "FLOAT_EXPECTED")
        #expect(payload?["assignment_max_duration_seconds"]?["code"]?.stringValue == "INTEGER_EXPECTED")
        #expect(payload?["defaults.default_overlap_for_new_task_suites"]?["code"]?.stringValue == "VALUE_LESS_THAN_MIN")
        #expect(payload?["will_expire"]?["code"]?.stringValue == "DATE_TIME_EXPECTED")
        #expect(payload?.objectValue?.keys.contains { $0.hasPrefix("quality_control") && $0.contains("operator") } == true, "\(payload ?? .null)")

        // Unknown ids
        expectShape(try await emulator.send("GET", "/api/v1/projects/999"), 404, "DOES_NOT_EXIST")
        expectShape(try await emulator.send("GET", "/api/v1/pools/abc"), 404, "DOES_NOT_EXIST")
        expectShape(try await emulator.send("POST", "/api/v1/pools/424242/open"), 404, "DOES_NOT_EXIST")
        expectShape(try await emulator.send("GET", "/api/v1/tasks/0000000001--000000000000000000000000"), 404, "DOES_NOT_EXIST")
        expectShape(try await emulator.send("GET", "/api/v1/assignments/0000000001--000000000000000000000000"), 404, "DOES_NOT_EXIST")
        expectShape(try await emulator.send("GET", "/api/v1/operations/\(UUID().uuidString)"), 404, "DOES_NOT_EXIST")
        expectShape(try await emulator.send("GET", "/api/v1/nothing-here"), 404, "DOES_NOT_EXIST")
        expectShape(try await emulator.send("DELETE", "/api/v1/pools"), 405, "METHOD_NOT_ALLOWED")
        let unknownPoolTask = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: ["pool_id": "77", "input_values": ["path": "https://a.b/c"]])
        expectShape(unknownPoolTask, 400, "VALIDATION_ERROR")
        #expect(unknownPoolTask.json?["payload"]?["pool_id"]?["code"]?.stringValue == "DOES_NOT_EXIST")

        // Pool lifecycle
        let poolID = try await emulator.send("POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID)).json!["id"]!.stringValue!
        expectShape(try await emulator.send("POST", "/api/v1/pools/\(poolID)/open"), 409, "EMPTY_POOL")

        // Task validation: sync batch keyed by index; skip_invalid_items keeps the valid ones
        let mixed: JSONValue = [
            ["pool_id": .string(poolID), "input_values": ["path": "https://tally.invalid/a.wav"]],
            ["pool_id": .string(poolID), "input_values": ["path": 3]],
            ["pool_id": .string(poolID), "input_values": ["pth": "https://tally.invalid/b.wav"], "overlap": "3"],
            ["pool_id": .string(poolID), "input_values": ["path": "not a url"]],
        ]
        let rejected = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: mixed)
        expectShape(rejected, 400, "VALIDATION_ERROR")
        #expect(rejected.json?["payload"]?["1"]?["input_values.path"]?["code"]?.stringValue == "STRING_EXPECTED")
        #expect(rejected.json?["payload"]?["2"]?["input_values.pth"]?["code"]?.stringValue == "VALUE_NOT_ALLOWED")
        #expect(rejected.json?["payload"]?["2"]?["input_values.path"]?["code"]?.stringValue == "VALUE_REQUIRED")
        #expect(rejected.json?["payload"]?["2"]?["overlap"]?["code"]?.stringValue == "INTEGER_EXPECTED")
        #expect(rejected.json?["payload"]?["3"]?["input_values.path"]?["code"]?.stringValue == "INVALID_URL_SYNTAX")
        #expect(rejected.json?["payload"]?["0"] == nil)
        let noOverlap = try await emulator.send("POST", "/api/v1/tasks", json: ["pool_id": .string(poolID), "input_values": ["path": "https://tally.invalid/a.wav"]])
        #expect(noOverlap.json?["payload"]?["overlap"]?["code"]?.stringValue == "VALUE_REQUIRED", "without allow_defaults a task needs an overlap")
        let skipped = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true", "skip_invalid_items": "true"], json: mixed)
        #expect(skipped.status == 201)
        #expect(skipped.json?["items"]?.objectValue?.keys.sorted() == ["0"])
        #expect(skipped.json?["validation_errors"]?.objectValue?.keys.sorted() == ["1", "2", "3"])
        // async + invalid: the operation fails, its log says why
        let asyncBad = try await emulator.send("POST", "/api/v1/tasks", query: ["async_mode": "true", "allow_defaults": "true"], json: mixed)
        #expect(asyncBad.status == 202)
        let (failed, _) = try await emulator.waitOperation(asyncBad.json!)
        #expect(failed["status"]?.stringValue == "FAIL")
        let failLog = try await emulator.send("GET", "/api/v1/operations/\(failed["id"]!.stringValue!)/log").json?.arrayValue ?? []
        #expect(failLog.count == 3 && failLog.allSatisfy { $0["type"]?.stringValue == "TASK_VALIDATE" && $0["success"]?.boolValue == false })

        // Open twice: the second answers 204 (spec §4.5); add golden tasks so the crowd can work
        let golden = Notebook.tasks(poolID: poolID, rows: Notebook.voices(20))
        #expect(try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: golden).status == 201)
        #expect(try await emulator.send("POST", "/api/v1/pools/\(poolID)/open").status == 202)
        let second = try await emulator.send("POST", "/api/v1/pools/\(poolID)/open")
        #expect(second.status == 204)
        #expect(second.data.isEmpty)

        // Closed pools take tasks (spec §10); archived ones answer INAPPROPRIATE_STATUS
        expectShape(try await emulator.send("POST", "/api/v1/pools/\(poolID)/archive"), 409, "INAPPROPRIATE_STATUS")
        let close = try await emulator.send("POST", "/api/v1/pools/\(poolID)/close")
        #expect(close.status == 202 && close.json?["type"]?.stringValue == "POOL.CLOSE")
        #expect(try await emulator.send("GET", "/api/v1/pools/\(poolID)").json?["last_close_reason"]?.stringValue == "MANUAL")
        #expect(try await emulator.send("POST", "/api/v1/pools/\(poolID)/close").status == 204)
        let addClosed = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: ["pool_id": .string(poolID), "input_values": ["path": "https://tally.invalid/late.wav"]])
        #expect(addClosed.status == 201)
        #expect(try await emulator.send("POST", "/api/v1/pools/\(poolID)/archive").status == 202)
        let archived = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: ["pool_id": .string(poolID), "input_values": ["path": "https://tally.invalid/later.wav"]])
        expectShape(archived, 409, "INAPPROPRIATE_STATUS")
        #expect(archived.json?["payload"]?["appropriate_statuses"] == ["OPEN", "CLOSED"])
        expectShape(try await emulator.send("POST", "/api/v1/pools/\(poolID)/open"), 409, "INAPPROPRIATE_STATUS")

        // Pools without a mixer take no tasks
        var noMixer = Notebook.pool(projectID: projectID).objectValue!
        noMixer["mixer_config"] = nil
        let noMixerID = try await emulator.send("POST", "/api/v1/pools", json: .object(noMixer)).json!["id"]!.stringValue!
        expectShape(try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: ["pool_id": .string(noMixerID), "input_values": ["path": "https://a.b/c"]]), 409, "MIXER_CONFIG_REQUIRED")

        // Lists: bad parameters
        expectShape(try await emulator.send("GET", "/api/v1/assignments"), 400, "VALIDATION_ERROR")
        expectShape(try await emulator.send("GET", "/api/v1/assignments", query: ["pool_id": poolID, "status": "DONE"]), 400, "VALIDATION_ERROR")
        expectShape(try await emulator.send("GET", "/api/v1/tasks", query: ["pool_id": poolID, "limit": "lots"]), 400, "VALIDATION_ERROR")
        expectShape(try await emulator.send("GET", "/api/v1/tasks", query: ["pool_id": poolID, "sort": "colour"]), 400, "VALIDATION_ERROR")
        expectShape(try await emulator.send("GET", "/api/v1/tasks"), 400, "VALIDATION_ERROR")

        // Still up, and it counted every answer
        #expect(try await emulator.send("GET", "/api/v1/requester").status == 200)
        let status = try await emulator.send("GET", "/_emulator/status").json!
        #expect(status["responses_by_status"]?["500"] == nil)
    }

    @Test("429 with Retry-After once the configured limit is exhausted, then requests pass again")
    func rateLimit() async throws {
        let clock = ManualClock()
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(speed: nil, rateLimits: try RateLimits(parsing: "all=5/s,projects=2/min")), clock: clock)
        defer { emulator.stop() }
        var statuses: [Int] = []
        var limited: RunningEmulator.Reply?
        for _ in 0..<8 {
            let r = try await emulator.send("GET", "/api/v1/requester")
            statuses.append(r.status)
            if r.status == 429 { limited = r }
        }
        #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429])
        let r = try #require(limited)
        #expect(r.code == "TOO_MANY_REQUESTS")
        #expect(r.headers["retry-after"] == "1")
        clock.advance(1)
        #expect(try await emulator.send("GET", "/api/v1/requester").status == 200)
        // per-minute quota on projects: payload.interval = MIN, Retry-After up to a minute
        clock.advance(10)
        #expect(try await emulator.send("POST", "/api/v1/projects", json: Notebook.project).status == 201)
        #expect(try await emulator.send("POST", "/api/v1/projects", json: Notebook.project).status == 201)
        let third = try await emulator.send("POST", "/api/v1/projects", json: Notebook.project)
        #expect(third.status == 429)
        #expect(third.json?["payload"]?["interval"]?.stringValue == "MIN")
        #expect(third.headers["retry-after"] == "30")
        // other clients (credentials) have their own buckets
        #expect(try await emulator.send("POST", "/api/v1/projects", json: Notebook.project, token: "someone-else").status == 201)
    }

    @Test("injected faults: 500s, 429 with and without Retry-After, a dropped connection; then normal service")
    func faults() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(speed: nil, rateLimits: .none))
        defer { emulator.stop() }
        let set = try await emulator.send("POST", "/_emulator/faults", json: ["faults": [
            ["path_prefix": "/api/v1/requester", "status": 500, "count": 2],
            ["path_prefix": "/api/v1/projects", "method": "GET", "status": 429, "retry_after": 2, "count": 1],
            ["path_prefix": "/api/v1/projects", "method": "GET", "status": 429, "count": 1],
            ["path_prefix": "/api/v1/pools", "drop": true, "count": 1, "skip": 1],
        ]])
        #expect(set.status == 200)
        #expect(try await emulator.send("GET", "/api/v1/requester").code == "INTERNAL_ERROR")
        #expect(try await emulator.send("GET", "/api/v1/requester").status == 500)
        #expect(try await emulator.send("GET", "/api/v1/requester").status == 200)
        let limited = try await emulator.send("GET", "/api/v1/projects")
        #expect(limited.status == 429 && limited.headers["retry-after"] == "2")
        let limitedBare = try await emulator.send("GET", "/api/v1/projects")
        #expect(limitedBare.status == 429 && limitedBare.headers["retry-after"] == nil)
        #expect(try await emulator.send("GET", "/api/v1/projects").status == 200)
        #expect(try await emulator.send("GET", "/api/v1/pools").status == 200, "skip: 1 lets the first through")
        await #expect(throws: (any Error).self) { try await emulator.send("GET", "/api/v1/pools") }
        #expect(try await emulator.send("GET", "/api/v1/pools").status == 200)
    }
}
