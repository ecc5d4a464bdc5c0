import Foundation
import Testing
import TallyCore
@testable import TolokaEmulator

/// The routes toloka-kit's example gallery needs beyond the audio notebook: skills and user skills,
/// trainings gating a main pool, attachments, task suites, pool update; validation errors in
/// Toloka's shape, and a restart from the `--state` journal giving the same state.
@Suite("Emulator: skills, trainings, attachments, task suites (the example gallery)")
struct GalleryRoutesTests {
    /// A core on a manual clock, optionally journalled to `statePath`.
    struct Core {
        let state: EmulatorState

        init(seed: UInt64 = 9, statePath: String? = nil, clock: ManualClock = ManualClock()) async throws {
            state = try EmulatorState(EmulatorConfiguration(speed: nil, seed: seed, rateLimits: .none), now: { clock.now })
            if let statePath { try await state.restore(from: statePath) }
        }

        func raw(_ method: String, _ path: String, query: [String: String] = [:], json: JSONValue? = nil) async -> EmulatorResponse {
            await state.handle(EmulatorRequest(method: method, path: path, query: query,
                                               headers: ["authorization": "OAuth gallery", "content-type": "application/json"],
                                               body: json?.serializedData(numbers: .python) ?? Data()))
        }

        @discardableResult
        func send(_ method: String, _ path: String, query: [String: String] = [:], json: JSONValue? = nil) async throws -> JSONValue {
            let r = await raw(method, path, query: query, json: json)
            guard r.status < 300 else { throw HarnessError("\(method) \(path): \(r.status) \(String(decoding: r.body, as: UTF8.self))") }
            return r.body.isEmpty ? .null : try JSONValue(parsing: r.body)
        }
    }

    @Test("skills: create, find by name, set a Toloker's value, list it; bad bodies are 400s naming the field")
    func skills() async throws {
        let core = try await Core()
        let skill = try await core.send("POST", "/api/v1/skills", json: ["name": "Area selection", "hidden": false])
        let id = try #require(skill["id"]?.stringValue)
        #expect(try await core.send("GET", "/api/v1/skills", query: ["name": "Area selection"])["items"]?.arrayValue?.first?["id"] == .string(id))
        #expect(try await core.send("GET", "/api/v1/skills", query: ["name": "other"])["items"] == [])

        let missing = await core.raw("POST", "/api/v1/skills", json: ["private_comment": "no name"])
        let missingBody = try JSONValue(parsing: missing.body)
        #expect(missing.status == 400 && missingBody["payload"]?["name"]?["code"] == "VALUE_REQUIRED")

        let user = try #require(try await core.send("GET", "/_emulator/crowd")["workers"]?.arrayValue?.first?["user_id"]?.stringValue)
        let set = try await core.send("PUT", "/api/v1/user-skills", json: ["skill_id": .string(id), "user_id": .string(user), "value": 42.5])
        #expect(set["value"] == 42 && set["exact_value"] == 42.5 && set["user_id"] == .string(user))
        let listed = try await core.send("GET", "/api/v1/user-skills", query: ["skill_id": id])["items"]?.arrayValue ?? []
        #expect(listed.count == 1 && listed.first?["user_id"] == .string(user))

        let bad = await core.raw("PUT", "/api/v1/user-skills", json: ["skill_id": .string(id), "user_id": "nobody", "value": 101])
        let badBody = try JSONValue(parsing: bad.body)
        #expect(bad.status == 400)
        #expect(badBody["payload"]?["user_id"]?["code"] == "DOES_NOT_EXIST")
        #expect(badBody["payload"]?["value"]?["code"] == "VALUE_GREATER_THAN_MAX")
    }

    /// A training of 10 known-solution tasks (2 per suite, 5 suites to pass) and a main pool requiring 70.
    func trainingRun(_ core: Core) async throws -> (training: String, pool: String, skill: String) {
        let project = try #require(try await core.send("POST", "/api/v1/projects", json: Notebook.project)["id"]?.stringValue)
        let training = try await core.send("POST", "/api/v1/trainings", json: [
            "project_id": .string(project), "private_name": "training", "may_contain_adult_content": false,
            "assignment_max_duration_seconds": 600, "training_tasks_in_task_suite_count": 2, "task_suites_required_to_pass": 5,
            "retry_training_after_days": 1, "inherited_instructions": true,
        ])
        let trainingID = try #require(training["id"]?.stringValue)
        let skill = try #require(training["training_skill_id"]?.stringValue)
        let rows = Notebook.voices(40, seed: 3)
        let trainingTasks: [JSONValue] = rows.prefix(10).map { row in
            ["pool_id": .string(trainingID), "input_values": ["path": .string(row.url)],
             "known_solutions": [["output_values": ["result": .string(row.sex)]]], "message_on_unknown_solution": .string(row.sex)]
        }
        try await core.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: .array(trainingTasks))
        var pool = Notebook.pool(projectID: project).objectValue!
        var qc = pool["quality_control"]!.objectValue!
        qc["training_requirement"] = ["training_pool_id": .string(trainingID), "training_passing_skill_value": 70]
        pool["quality_control"] = .object(qc)
        let poolID = try #require(try await core.send("POST", "/api/v1/pools", json: .object(pool))["id"]?.stringValue)
        let tasks = Notebook.tasks(poolID: poolID, rows: Array(rows.dropFirst(10)), golden: 5)
        try await core.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: tasks)
        // The training opens through the pool route (trainings share the pools' id space), the pool through its own.
        #expect(try await core.send("POST", "/api/v1/pools/\(trainingID)/open")["type"] == "POOL.OPEN")
        #expect(try await core.send("POST", "/api/v1/trainings/\(trainingID)/open") == .null, "already open: 204")
        try await core.send("POST", "/api/v1/pools/\(poolID)/open")
        return (trainingID, poolID, skill)
    }

    @Test("a main pool with a training requirement issues suites only to Tolokers whose training score passed, from then on")
    func trainingGatesThePool() async throws {
        let core = try await Core()
        let (trainingID, poolID, skill) = try await trainingRun(core)
        #expect(try await core.send("GET", "/api/v1/trainings/\(trainingID)")["status"] == "OPEN")
        let log = try await core.send("GET", "/_emulator/pools/\(trainingID)/quality-control-log")["items"]?.arrayValue ?? []
        let userSkills = try await core.send("GET", "/api/v1/user-skills", query: ["skill_id": skill, "limit": "1000"])["items"]?.arrayValue ?? []
        #expect(!log.isEmpty && log.count == userSkills.count, "every Toloker who finished the training got its skill once")
        var score: [String: (Double, Double)] = [:]
        for u in userSkills { score[u["user_id"]!.stringValue!] = (u["exact_value"]!.doubleValue!, TolokaTime.parse(u["created"]!.stringValue!, accepting: [.iso8601])!) }
        #expect(score.values.contains { $0.0 >= 70 } && score.values.contains { $0.0 < 70 }, "some pass and some fail: \(score.values.map(\.0).sorted())")
        let assignments = try await core.send("GET", "/api/v1/assignments", query: ["pool_id": poolID, "limit": "10000"])["items"]?.arrayValue ?? []
        #expect(!assignments.isEmpty)
        for a in assignments {
            let user = a["user_id"]!.stringValue!
            let created = TolokaTime.parse(a["created"]!.stringValue!, accepting: [.iso8601])!
            let s = try #require(score[user], "\(user) worked in the main pool without a training score")
            #expect(s.0 >= 70 && s.1 <= created, "\(user): score \(s.0) set at \(s.1), suite issued at \(created)")
        }
        // Trainings are not listed among pools, and a pool id is not a training.
        #expect(try await core.send("GET", "/api/v1/pools")["items"]?.arrayValue?.map { $0["id"] } == [.string(poolID)])
        #expect(await core.raw("GET", "/api/v1/trainings/\(poolID)").status == 404)
        let noTasks = await core.raw("POST", "/api/v1/tasks", json: ["pool_id": .string(trainingID), "input_values": ["path": "https://x.invalid/a.wav"]])
        let noTasksBody = try JSONValue(parsing: noTasks.body)
        #expect(noTasks.status == 400 && noTasksBody["payload"]?["known_solutions"]?["code"] == "VALUE_REQUIRED")
    }

    @Test("file answers are attachments whose bytes are a PNG; task suites and pool update")
    func attachmentsSuitesUpdate() async throws {
        let core = try await Core()
        var project = Notebook.project.objectValue!
        project["task_spec"] = ["input_spec": ["label": ["type": "string", "required": false]],
                                "output_spec": ["image": ["type": "file"], "label": ["type": "string", "allowed_values": ["cat", "dog"]]],
                                "view_spec": ["type": "tb", "config": "{}"]]
        let projectID = try #require(try await core.send("POST", "/api/v1/projects", json: .object(project))["id"]?.stringValue)
        var pool = Notebook.pool(projectID: projectID).objectValue!
        pool["mixer_config"] = nil
        pool["quality_control"] = nil
        pool["defaults"] = ["default_overlap_for_new_task_suites": 1]
        let poolID = try #require(try await core.send("POST", "/api/v1/pools", json: .object(pool))["id"]?.stringValue)
        let suites: JSONValue = .array((0..<3).map { i in ["pool_id": .string(poolID), "overlap": 2, "tasks": [["input_values": ["label": .string("s\(i)")]]]] })
        let created = try await core.send("POST", "/api/v1/task-suites", json: suites)
        #expect(created["items"]?.objectValue?.count == 3)
        pool["reward_per_assignment"] = 0.05
        #expect(try await core.send("PUT", "/api/v1/pools/\(poolID)", json: .object(pool))["reward_per_assignment"] == 0.05)
        try await core.send("POST", "/api/v1/pools/\(poolID)/open")
        let closed = try await core.send("GET", "/api/v1/pools/\(poolID)")
        #expect(closed["status"] == "CLOSED" && closed["last_close_reason"] == "COMPLETED")
        let assignments = try await core.send("GET", "/api/v1/assignments", query: ["pool_id": poolID])["items"]?.arrayValue ?? []
        #expect(assignments.count == 6 && assignments.allSatisfy { $0["reward"] == 0.05 })
        let outputs = assignments.compactMap { $0["solutions"]?.arrayValue?.first?["output_values"] }
        #expect(outputs.count == 6 && outputs.allSatisfy { ["cat", "dog"].contains($0["label"]?.stringValue ?? "") })
        let attachment = try #require(outputs.first?["image"]?.stringValue)
        let download = await core.raw("GET", "/api/v1/attachments/\(attachment)/download")
        #expect(download.status == 200)
        #expect(Array(download.body.prefix(8)) == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        #expect(await core.raw("GET", "/api/v1/attachments/nothing/download").status == 404)
    }

    @Test("skills, trainings and user skills come back the same from the --state journal")
    func journalReplay() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-gallery-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        let first = try await Core(statePath: path, clock: clock)
        try await first.send("POST", "/api/v1/skills", json: ["name": "kept"])
        let (trainingID, poolID, skill) = try await trainingRun(first)
        let show: (Core) async throws -> [JSONValue] = { core in
            [try await core.send("GET", "/api/v1/skills"), try await core.send("GET", "/api/v1/user-skills", query: ["skill_id": skill, "limit": "1000"]),
             try await core.send("GET", "/api/v1/trainings/\(trainingID)"), try await core.send("GET", "/api/v1/assignments", query: ["pool_id": poolID, "limit": "10000"])]
        }
        let before = try await show(first)
        let second = try await Core(statePath: path, clock: clock)
        #expect(try await show(second) == before)
    }
}
