import Foundation
import Testing
import TallyCore
import TallySimulation
@testable import TolokaEmulator

/// The emulator's simulated numbers, pinned: each case drives the emulator's core (no server) with a
/// manual clock through a pool's life and hashes everything the API then shows about it (every
/// assignment with its answers and times, the pool, the restrictions, the quality-control log). The
/// digests were recorded before the pool engine moved into `TallySimulation` (issue 13); a change
/// to any of them is a change of the emulator's behaviour and must be explained.
@Suite("Emulator: pinned simulation digests")
struct EmulatorDigestTests {
    /// A quality-control config: `collector` (type and parameters) with one rule.
    static func config(_ type: String, _ parameters: JSONValue = [:], conditions: [(String, String, JSONValue)], action: JSONValue) -> JSONValue {
        ["collector_config": ["type": .string(type), "parameters": parameters],
         "rules": [["conditions": .array(conditions.map { ["key": .string($0.0), "operator": .string($0.1), "value": $0.2] }), "action": action]]]
    }

    static func restriction(_ scope: String, days: Int = 3) -> JSONValue {
        ["type": "RESTRICTION_V2", "parameters": ["scope": .string(scope), "duration": .int(Int64(days)), "duration_unit": "DAYS", "private_comment": "digest"]]
    }

    /// A pool: the notebook's, with `changes` applied on top.
    static func pool(projectID: String, _ changes: [String: JSONValue]) -> JSONValue {
        var o = Notebook.pool(projectID: projectID).objectValue!
        for (k, v) in changes { o[k] = v }
        return .object(o)
    }

    /// One emulator run: a core on a manual clock and a client that sends requests to it.
    struct Run {
        let state: EmulatorState
        let clock: ManualClock

        init(seed: UInt64, speed: Double?, crowd: (any Crowd)? = nil) throws {
            clock = ManualClock()
            let c = clock
            state = try EmulatorState(EmulatorConfiguration(speed: speed, seed: seed, crowd: crowd, rateLimits: .none), now: { c.now })
        }

        @discardableResult
        func send(_ method: String, _ path: String, query: [String: String] = [:], json: JSONValue? = nil) async throws -> JSONValue {
            let body = json?.serializedData(numbers: .python) ?? Data()
            let r = await state.handle(EmulatorRequest(method: method, path: path, query: query,
                                                       headers: ["authorization": "OAuth digest", "content-type": "application/json"], body: body))
            guard r.status < 300 else { throw HarnessError("\(method) \(path): \(r.status) \(String(decoding: r.body, as: UTF8.self))") }
            return r.body.isEmpty ? .null : try JSONValue(parsing: r.body)
        }

        /// Project and pool; returns the pool id.
        func createPool(_ changes: [String: JSONValue], project: String? = nil) async throws -> (project: String, pool: String) {
            var projectID = project ?? ""
            if project == nil { projectID = try #require(try await send("POST", "/api/v1/projects", json: Notebook.project)["id"]?.stringValue) }
            let poolID = try #require(try await send("POST", "/api/v1/pools", json: EmulatorDigestTests.pool(projectID: projectID, changes))["id"]?.stringValue)
            return (projectID, poolID)
        }

        func upload(_ pool: String, rows: [(url: String, sex: String)], golden: Int, open: Bool, overlap: JSONValue? = nil) async throws {
            var tasks = Notebook.tasks(poolID: pool, rows: rows, golden: golden).arrayValue!
            if let overlap {
                for i in tasks.indices where tasks[i]["known_solutions"] != nil {
                    var o = tasks[i].objectValue!
                    o["infinite_overlap"] = false
                    o["overlap"] = overlap
                    tasks[i] = .object(o)
                }
            }
            try await send("POST", "/api/v1/tasks", query: ["allow_defaults": "true", "open_pool": open ? "true" : "false"], json: .array(tasks))
        }

        /// Everything the API shows about `pool`, as one text.
        func snapshot(_ pool: String) async throws -> String {
            let assignments = try await send("GET", "/api/v1/assignments", query: ["pool_id": pool, "limit": "100000", "sort": "id"])
            let restrictions = try await send("GET", "/api/v1/user-restrictions", query: ["pool_id": pool, "limit": "500", "sort": "id"])
            let projectRestrictions = try await send("GET", "/api/v1/user-restrictions", query: ["scope": "PROJECT", "limit": "500", "sort": "id"])
            let poolJSON = try await send("GET", "/api/v1/pools/\(pool)")
            let log = try await send("GET", "/_emulator/pools/\(pool)/quality-control-log")
            return [assignments, restrictions, projectRestrictions, poolJSON, log].map { $0.serialized(numbers: .python) }.joined(separator: "\n")
        }
    }

    static func digest(_ text: String) -> String { String(stableHash(text), radix: 16) }

    /// The notebook's pool, instant, built-in crowd: golden-set bans, auto-accept, majority-vote and
    /// submit-time rules (a `PROJECT` ban, a skill), then a second pool of the project that filters on the skill.
    @Test func instantAutoAcceptWithRules() async throws {
        let run = try Run(seed: 3, speed: nil)
        let configs: JSONValue = [
            Self.config("GOLDEN_SET", ["history_size": 10], conditions: [("golden_set_correct_answers_rate", "LTE", 80.0), ("golden_set_answers_count", "GTE", 1)], action: Self.restriction("POOL")),
            Self.config("MAJORITY_VOTE", ["history_size": 10, "answer_threshold": 2], conditions: [("correct_answers_rate", "LT", 60.0), ("total_answers_count", "GTE", 4)], action: Self.restriction("PROJECT", days: 1)),
            Self.config("ASSIGNMENT_SUBMIT_TIME", ["history_size": 5, "fast_submit_threshold_seconds": 20], conditions: [("fast_submitted_count", "GTE", 1)],
                        action: ["type": "SET_SKILL", "parameters": ["skill_id": "fast", "skill_value": 1]]),
        ]
        let (project, pool) = try await run.createPool(["quality_control": ["configs": configs]])
        try await run.upload(pool, rows: Notebook.voices(140), golden: 20, open: true)
        let first = try await run.snapshot(pool)
        let (_, second) = try await run.createPool(["filter": ["or": [["category": "skill", "key": "fast", "operator": "EQ", "value": .null]]]], project: project)
        try await run.upload(second, rows: Notebook.voices(60, seed: 11), golden: 10, open: true)
        let text = try await first + "\n" + run.snapshot(second)
        #expect(Self.digest(text) == "584a8f09f7fe3852", "instantAutoAcceptWithRules: \(Self.digest(text))")
    }

    /// Manual review at 60× on a clock stepped by hand: acceptance-rate and golden-set rules that review
    /// in bulk, PATCH reviews by the requester, control tasks with finite overlap, creation order, no
    /// shuffle, a short last suite, tasks uploaded while the pool is open, and the auto-close delay.
    @Test func steppedManualReview() async throws {
        let run = try Run(seed: 8, speed: 60)
        let configs: JSONValue = [
            Self.config("GOLDEN_SET", ["history_size": 5], conditions: [("golden_set_correct_answers_rate", "LT", 50.0), ("golden_set_answers_count", "GTE", 2)],
                        action: ["type": "REJECT_ALL_ASSIGNMENTS", "parameters": ["public_comment": "golden"]]),
            Self.config("GOLDEN_SET", ["history_size": 5], conditions: [("golden_set_correct_answers_rate", "GTE", 100.0), ("golden_set_answers_count", "GTE", 3)],
                        action: ["type": "APPROVE_ALL_ASSIGNMENTS", "parameters": [:]]),
            Self.config("ACCEPTANCE_RATE", ["history_size": 5], conditions: [("rejected_assignments_rate", "GT", 50.0), ("total_assignments_count", "GTE", 2)], action: Self.restriction("POOL", days: 1)),
            Self.config("MAJORITY_VOTE", ["history_size": 10, "answer_threshold": 3], conditions: [("incorrect_answers_rate", "GT", 50.0), ("total_answers_count", "GTE", 3)], action: Self.restriction("POOL")),
        ]
        let (_, pool) = try await run.createPool([
            "quality_control": ["configs": configs], "auto_accept_solutions": false, "auto_close_after_complete_delay_seconds": 600,
            "assignment_max_duration_seconds": 30,
            "mixer_config": ["real_tasks_count": 3, "golden_tasks_count": 1, "training_tasks_count": 0, "min_real_tasks_count": 2,
                             "mix_tasks_in_creation_order": true, "shuffle_tasks_in_task_suite": false],
        ])
        try await run.upload(pool, rows: Notebook.voices(50), golden: 10, open: true, overlap: 6)
        var reviewed = 0
        for step in 0..<40 {
            run.clock.advance(30)
            if step == 10 { try await run.upload(pool, rows: Notebook.voices(30, seed: 5), golden: 0, open: false) }
            let submitted = try await run.send("GET", "/api/v1/assignments", query: ["pool_id": pool, "status": "SUBMITTED", "limit": "100000", "sort": "id"])
            for (i, a) in (submitted["items"]?.arrayValue ?? []).enumerated() where i % 3 == step % 3 {
                let id = a["id"]!.stringValue!
                let body: JSONValue = i % 2 == 0 ? ["status": "ACCEPTED"] : ["status": "REJECTED", "public_comment": "no"]
                try await run.send("PATCH", "/api/v1/assignments/\(id)", json: body)
                reviewed += 1
            }
        }
        #expect(reviewed > 0)
        let all = try await run.send("GET", "/api/v1/assignments", query: ["pool_id": pool, "limit": "100000"])["items"]?.arrayValue ?? []
        #expect(all.contains { $0["public_comment"]?.stringValue == "golden" }, "a rule rejected suites")
        #expect(all.contains { $0["public_comment"]?.stringValue == "no" }, "the requester rejected suites")
        #expect(all.contains { $0["status"]?.stringValue == "EXPIRED" }, "suites expired")
        let text = try await run.snapshot(pool)
        #expect(Self.digest(text) == "9942aaf75f3a739e", "steppedManualReview: \(Self.digest(text))")
    }

    /// A pool that expires while suites are active, at 60×, and a pool closed by hand and reopened.
    @Test func expiryAndManualClose() async throws {
        let run = try Run(seed: 21, speed: 60)
        let expires = TolokaTime.format(run.clock.now + 300)
        let (project, pool) = try await run.createPool(["will_expire": .string(expires), "assignment_max_duration_seconds": 60])
        try await run.upload(pool, rows: Notebook.voices(300), golden: 20, open: true)
        let (_, other) = try await run.createPool([:], project: project)
        try await run.upload(other, rows: Notebook.voices(80, seed: 2), golden: 10, open: true)
        for step in 0..<30 {
            run.clock.advance(45)
            if step == 5 { try await run.send("POST", "/api/v1/pools/\(other)/close") }
            if step == 9 { try await run.send("POST", "/api/v1/pools/\(other)/open") }
        }
        let expiredPool = try await run.send("GET", "/api/v1/pools/\(pool)")
        #expect(expiredPool["last_close_reason"] == "EXPIRED")
        #expect(try await run.send("GET", "/api/v1/pools/\(other)")["last_close_reason"] != "MANUAL", "reopened after the manual close")
        let text = try await run.snapshot(pool) + "\n" + run.snapshot(other)
        #expect(Self.digest(text) == "d1556749a17d1b6b", "expiryAndManualClose: \(Self.digest(text))")
    }

    /// A `TallySimulation` scenario as the crowd, instant.
    @Test func scenarioCrowd() async throws {
        let scenario = try Scenario.decode(ScenarioCrowdTests.scenarioJSON(types: ScenarioCrowdTests.mixedTypes))
        let run = try Run(seed: 5, speed: nil, crowd: ScenarioCrowd(scenario, seed: 5))
        let (_, pool) = try await run.createPool([:])
        try await run.upload(pool, rows: Notebook.voices(240), golden: 40, open: true)
        let text = try await run.snapshot(pool)
        #expect(Self.digest(text) == "1e925fb043e974e8", "scenarioCrowd: \(Self.digest(text))")
    }
}
