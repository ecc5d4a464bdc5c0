import Foundation
import Testing
import TallyCore
@testable import TolokaEmulator

/// The gallery's behaviours beyond its routes: `CHANGE_OVERLAP` on rejection, tasks'
/// `unavailable_for`, JSON (image-annotation) answers, a fractional training requirement, and the
/// backdated clock.
@Suite("Emulator: rejection re-issues, unavailable_for, JSON answers, backdated clock")
struct GalleryBehaviourTests {
    typealias Core = GalleryRoutesTests.Core

    /// A manual-review pool of `tasks` general tasks (overlap 1, one per suite), with the faces
    /// notebook's `ASSIGNMENTS_ASSESSMENT` rule when `reassess` is set.
    func manualPool(_ core: Core, tasks: Int, reassess: Bool) async throws -> String {
        let project = try #require(try await core.send("POST", "/api/v1/projects", json: Notebook.project)["id"]?.stringValue)
        var pool = Notebook.pool(projectID: project).objectValue!
        pool["auto_accept_solutions"] = false
        pool["defaults"] = ["default_overlap_for_new_task_suites": 1, "default_overlap_for_new_tasks": 1]
        pool["mixer_config"] = ["real_tasks_count": 1, "golden_tasks_count": 0, "training_tasks_count": 0]
        pool["quality_control"] = reassess ? ["configs": [[
            "collector_config": ["type": "ASSIGNMENTS_ASSESSMENT"],
            "rules": [["conditions": [["key": "assessment_event", "operator": "EQ", "value": "REJECT"]],
                       "action": ["type": "CHANGE_OVERLAP", "parameters": ["delta": 1, "open_pool": true]]]],
        ]]] : ["configs": []]
        let id = try #require(try await core.send("POST", "/api/v1/pools", json: .object(pool))["id"]?.stringValue)
        let rows = Notebook.voices(tasks, seed: 5)
        try await core.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: Notebook.tasks(poolID: id, rows: rows, golden: 0))
        try await core.send("POST", "/api/v1/pools/\(id)/open")
        return id
    }

    func assignments(_ core: Core, _ pool: String) async throws -> [JSONValue] {
        try await core.send("GET", "/api/v1/assignments", query: ["pool_id": pool, "limit": "10000"])["items"]?.arrayValue ?? []
    }

    @Test("a rejection with ASSIGNMENTS_ASSESSMENT → CHANGE_OVERLAP(1, open_pool) raises the task's overlap, reopens the pool and a second Toloker answers it")
    func changeOverlapOnRejection() async throws {
        let core = try await Core()
        let pool = try await manualPool(core, tasks: 4, reassess: true)
        #expect(try await core.send("GET", "/api/v1/pools/\(pool)")["last_close_reason"] == "COMPLETED")
        let first = try await assignments(core, pool)
        #expect(first.count == 4 && first.allSatisfy { $0["status"] == "SUBMITTED" })
        let rejected = first[0]
        let task = try #require(rejected["tasks"]?.arrayValue?.first?["id"]?.stringValue)
        try await core.send("PATCH", "/api/v1/assignments/\(rejected["id"]!.stringValue!)", json: ["status": "REJECTED", "public_comment": "wrong"])

        let after = try await assignments(core, pool)
        #expect(after.count == 5, "one more suite for the rejected task")
        let again = after.filter { $0["tasks"]?.arrayValue?.first?["id"]?.stringValue == task }
        #expect(again.count == 2 && Set(again.compactMap { $0["user_id"]?.stringValue }).count == 2, "a different Toloker")
        #expect(try await core.send("GET", "/api/v1/tasks/\(task)")["overlap"] == 2)
        let reopened = try await core.send("GET", "/api/v1/pools/\(pool)")
        #expect(reopened["status"] == "CLOSED" && reopened["last_close_reason"] == "COMPLETED", "reopened and done again")
        let log = try await core.send("GET", "/_emulator/pools/\(pool)/quality-control-log")["items"]?.arrayValue ?? []
        #expect(log.filter { $0["action"] == "CHANGE_OVERLAP" }.count == 1)
        #expect(log.first { $0["action"] == "CHANGE_OVERLAP" }?["assignment_id"] == rejected["id"])
    }

    @Test("without the rule a rejection leaves the overlap and the pool as they were")
    func rejectionWithoutRule() async throws {
        let core = try await Core()
        let pool = try await manualPool(core, tasks: 3, reassess: false)
        let first = try await assignments(core, pool)
        try await core.send("PATCH", "/api/v1/assignments/\(first[0]["id"]!.stringValue!)", json: ["status": "REJECTED", "public_comment": "wrong"])
        #expect(try await assignments(core, pool).count == 3)
        let task = try #require(first[0]["tasks"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(try await core.send("GET", "/api/v1/tasks/\(task)")["overlap"] == 1)
        #expect(try await core.send("GET", "/_emulator/pools/\(pool)/quality-control-log")["items"] == [])
    }

    @Test("a task's unavailable_for keeps those Tolokers off it, though they work on the pool's other tasks")
    func unavailableFor() async throws {
        let core = try await Core()
        let crowd = try await core.send("GET", "/_emulator/crowd")["workers"]?.arrayValue ?? []
        let english = crowd.filter { ($0["languages"]?.arrayValue ?? []).contains("EN") && ["TOLOKA_APP", "BROWSER"].contains($0["client_type"]?.stringValue ?? "") }
            .compactMap { $0["user_id"]?.stringValue }
        let barred = Array(english.prefix(english.count / 2))
        let project = try #require(try await core.send("POST", "/api/v1/projects", json: Notebook.project)["id"]?.stringValue)
        var pool = Notebook.pool(projectID: project).objectValue!
        pool["quality_control"] = ["configs": []]
        pool["mixer_config"] = ["real_tasks_count": 1, "golden_tasks_count": 0, "training_tasks_count": 0]
        let poolID = try #require(try await core.send("POST", "/api/v1/pools", json: .object(pool))["id"]?.stringValue)
        // Overlap: half the Tolokers allowed on the first task.
        let overlap = (english.count - barred.count) / 2
        let tasks: [JSONValue] = (0..<6).map { i in
            var t: [String: JSONValue] = ["pool_id": .string(poolID), "input_values": ["path": .string("https://tally.invalid/u/\(i).wav")], "overlap": .int(Int64(overlap))]
            if i == 0 { t["unavailable_for"] = .array(barred.map(JSONValue.string)) }
            return .object(t)
        }
        try await core.send("POST", "/api/v1/tasks", json: .array(tasks))
        try await core.send("POST", "/api/v1/pools/\(poolID)/open")
        let all = try await assignments(core, poolID)
        var workersByTask: [Int: Set<String>] = [:]
        for a in all {
            let path = a["tasks"]?.arrayValue?.first?["input_values"]?["path"]?.stringValue ?? ""
            let i = Int(path.split(separator: "/").last!.dropLast(4))!
            workersByTask[i, default: []].insert(a["user_id"]!.stringValue!)
        }
        #expect(workersByTask[0]?.count == overlap, "the first task still got its overlap")
        #expect(workersByTask[0]!.isDisjoint(with: barred))
        let barredElsewhere = (1..<6).reduce(Set<String>()) { $0.union(workersByTask[$1] ?? []) }.intersection(barred)
        #expect(!barredElsewhere.isEmpty, "the barred Tolokers did work in the pool: \(barredElsewhere.count) of \(barred.count)")
        #expect(try await core.send("GET", "/api/v1/tasks", query: ["pool_id": poolID])["items"]?.arrayValue?.first?["unavailable_for"]?.arrayValue?.count == barred.count)
    }

    @Test("a JSON output answers image-annotation rectangles; a fractional training_passing_skill_value is taken (truncated)")
    func jsonAnswersAndFractionalRequirement() async throws {
        let core = try await Core()
        var project = Notebook.project.objectValue!
        project["task_spec"] = ["input_spec": ["image": ["type": "url"]], "output_spec": ["result": ["type": "json"]],
                                "view_spec": ["type": "tb", "config": "{}"]]
        let projectID = try #require(try await core.send("POST", "/api/v1/projects", json: .object(project))["id"]?.stringValue)
        var pool = Notebook.pool(projectID: projectID).objectValue!
        pool["quality_control"] = ["configs": []]
        pool["defaults"] = ["default_overlap_for_new_task_suites": 1]
        pool["mixer_config"] = ["real_tasks_count": 1, "golden_tasks_count": 0, "training_tasks_count": 0]
        let poolID = try #require(try await core.send("POST", "/api/v1/pools", json: .object(pool))["id"]?.stringValue)
        let tasks: [JSONValue] = (0..<5).map { i in ["pool_id": .string(poolID), "input_values": ["image": .string("https://tally.invalid/i/\(i).png")]] }
        try await core.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: .array(tasks))
        try await core.send("POST", "/api/v1/pools/\(poolID)/open")
        let all = try await assignments(core, poolID)
        #expect(all.count == 5)
        for a in all {
            let shapes = try #require(a["solutions"]?.arrayValue?.first?["output_values"]?["result"]?.arrayValue)
            #expect((1...3).contains(shapes.count))
            for s in shapes {
                #expect(s["shape"] == "rectangle")
                for key in ["left", "top", "width", "height"] {
                    let v = try #require(s[key]?.doubleValue)
                    #expect(v >= 0 && v <= 1)
                }
            }
        }
        // toloka-kit's autoquality samples the passing value from a normal distribution.
        let training = try await core.send("POST", "/api/v1/trainings", json: [
            "project_id": .string(projectID), "private_name": "t", "may_contain_adult_content": false, "assignment_max_duration_seconds": 600,
            "training_tasks_in_task_suite_count": 1, "task_suites_required_to_pass": 1, "retry_training_after_days": 1, "inherited_instructions": true,
        ])
        pool["quality_control"] = ["configs": [], "training_requirement": ["training_pool_id": training["id"]!, "training_passing_skill_value": 56.34]]
        let updated = await core.raw("PUT", "/api/v1/pools/\(poolID)", json: .object(pool))
        #expect(updated.status == 200, "\(String(decoding: updated.body, as: UTF8.self))")
    }

    @Test("clockLag: the clock and the pools' timestamps read that far behind real time")
    func backdatedClock() async throws {
        let now = Date().timeIntervalSince1970
        var configuration = EmulatorConfiguration(speed: nil, seed: 3, rateLimits: .none)
        configuration.clockLag = 31 * 86_400
        let state = try EmulatorState(configuration, now: { now })
        let r = await state.handle(EmulatorRequest(method: "POST", path: "/api/v1/projects", query: [:],
                                                   headers: ["authorization": "OAuth x", "content-type": "application/json"],
                                                   body: Notebook.project.serializedData(numbers: .python)))
        let created = try #require(TolokaTime.parse(try JSONValue(parsing: r.body)["created"]!.stringValue!, accepting: [.iso8601]))
        #expect(abs(created - (now - 31 * 86_400)) < 1)
    }
}
