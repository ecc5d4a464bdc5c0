import Foundation
import TallyCore
import Testing
@testable import TolokaEmulator

/// The notebook's call sequence (spec §12) against an emulator on a loopback port, over HTTP.
@Suite("Emulator: the notebook's call sequence over HTTP")
struct NotebookFlowTests {
    @Test("create, upload async, open, poll analytics until COMPLETED, page through accepted assignments; bans match the rule")
    func notebookFlow() async throws {
        let rows = Notebook.voices()
        let clock = ManualClock()
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(token: "secret-token", speed: 1, seed: 3, truth: try TruthTable(tsv: Notebook.truthTSV(rows))), clock: clock)
        defer { emulator.stop() }

        // 1. credential check
        let requester = try await emulator.send("GET", "/api/v1/requester")
        #expect(requester.status == 200)
        #expect(requester.json?["id"]?.stringValue?.count == 32)

        // 2–3. project and pool
        let project = try await emulator.send("POST", "/api/v1/projects", json: Notebook.project)
        #expect(project.status == 201)
        let projectID = try #require(project.json?["id"]?.stringValue)
        #expect(project.json?["status"]?.stringValue == "ACTIVE")
        let poolReply = try await emulator.send("POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID))
        #expect(poolReply.status == 201)
        let poolID = try #require(poolReply.json?["id"]?.stringValue)
        #expect(poolReply.json?["status"]?.stringValue == "CLOSED")
        #expect(poolReply.json?["quality_control"]?["configs"]?.arrayValue?.first?["collector_config"]?["uuid"]?.stringValue?.count == 36)
        #expect(poolReply.json?["mixer_config"]?["real_tasks_count"]?.intValue == 4)
        #expect(poolReply.json?["filter"] == Notebook.pool(projectID: projectID)["filter"])

        // 4–6. 120 tasks, async, with an operation id; the operation goes PENDING → RUNNING → SUCCESS
        let operationID = UUID().uuidString.lowercased()
        let upload = try await emulator.send("POST", "/api/v1/tasks", query: ["operation_id": operationID, "async_mode": "true", "allow_defaults": "true"],
                                             json: Notebook.tasks(poolID: poolID, rows: rows))
        #expect(upload.status == 202)
        #expect(upload.json?["id"]?.stringValue == operationID)
        #expect(upload.json?["type"]?.stringValue == "TASK.BATCH_CREATE")
        let (done, statuses) = try await emulator.waitOperation(upload.json!)
        #expect(statuses == ["PENDING", "RUNNING", "SUCCESS"])
        #expect(done["details"]?["success_count"]?.intValue == 120)
        let again = try await emulator.send("POST", "/api/v1/tasks", query: ["operation_id": operationID, "async_mode": "true", "allow_defaults": "true"],
                                            json: Notebook.tasks(poolID: poolID, rows: rows))
        #expect(again.status == 409)
        #expect(again.code == "OPERATION_ALREADY_EXISTS")
        let log = try #require(try await emulator.send("GET", "/api/v1/operations/\(operationID)/log").json?.arrayValue)
        #expect(log.count == 120)
        #expect(log.allSatisfy { $0["type"]?.stringValue == "TASK_CREATE" && $0["success"]?.boolValue == true })
        #expect(log.map { $0["input"]?["__item_idx"]?.stringValue } == (0..<120).map { String($0) })
        let taskIDs = log.compactMap { $0["output"]?["task_id"]?.stringValue }
        #expect(taskIDs == taskIDs.sorted(), "task ids sort in creation order")
        #expect(taskIDs.allSatisfy { $0.hasPrefix(String(format: "%010llx--", UInt64(poolID)!)) && $0.count == 36 })

        // 7. rebuild the result as toloka-kit does: id_gte/id_lte + sort=id, paged
        let (tasks, taskPages) = try await emulator.listAll("/api/v1/tasks", query: ["pool_id": poolID, "id_gte": taskIDs.first!, "id_lte": taskIDs.last!], limit: 50)
        #expect(tasks.map { $0["id"]?.stringValue } == taskIDs)
        #expect(taskPages == 3)
        let golden = tasks.filter { $0["known_solutions"] != nil }
        #expect(golden.count == 20)
        #expect(golden.allSatisfy { $0["infinite_overlap"]?.boolValue == true && $0["overlap"] == nil && $0["remaining_overlap"] == nil })
        #expect(tasks.filter { $0["known_solutions"] == nil }.allSatisfy { $0["overlap"]?.intValue == 3 && $0["remaining_overlap"]?.intValue == 3 && $0["__item_idx"] == nil })

        // 8. open
        let open = try await emulator.send("POST", "/api/v1/pools/\(poolID)/open")
        #expect(open.status == 202)
        #expect(open.json?["type"]?.stringValue == "POOL.OPEN")
        _ = try await emulator.waitOperation(open.json!)
        #expect(try await emulator.send("GET", "/api/v1/pools/\(poolID)").json?["status"]?.stringValue == "OPEN")

        // 9. poll: pool, analytics, operation; a simulated minute between polls
        var percentages: [Int] = []
        var pool = try await emulator.send("GET", "/api/v1/pools/\(poolID)").json!
        while pool["status"]?.stringValue != "CLOSED" {
            let a = try await emulator.send("POST", "/api/staging/analytics-2",
                                            json: [["subject": "POOL", "subject_id": .string(poolID), "name": "completion_percentage"],
                                                   ["subject": "POOL", "subject_id": .string(poolID), "name": "submitted_assignments_count"]])
            #expect(a.json?["type"]?.stringValue == "ANALYTICS")
            let (op, _) = try await emulator.waitOperation(a.json!)
            let value = try #require(op["details"]?["value"]?.arrayValue?.first?["result"]?["value"]?.intValue)
            #expect(op["details"]?["value"]?.arrayValue?[1]["result"]?.intValue != nil, "count metrics are bare numbers")
            percentages.append(value)
            clock.advance(60)
            pool = try await emulator.send("GET", "/api/v1/pools/\(poolID)").json!
            try #require(percentages.count < 500, "the pool never closed")
        }
        #expect(pool["last_close_reason"]?.stringValue == "COMPLETED")
        #expect(pool["last_stopped"] != nil)
        #expect(percentages == percentages.sorted(), "completion only grows")
        #expect(percentages.count > 3, "the crowd works over several simulated minutes: \(percentages)")

        // 10. accepted assignments, 20 a page, sort=id + id_gt
        let (assignments, pages) = try await emulator.listAll("/api/v1/assignments", query: ["status": "ACCEPTED", "pool_id": poolID], limit: 20)
        #expect(pages == (assignments.count + 19) / 20 + (assignments.count % 20 == 0 ? 1 : 0) || pages == (assignments.count + 19) / 20)
        let ids = assignments.compactMap { $0["id"]?.stringValue }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        var answersPerTask: [String: Int] = [:]
        var seenControl = Set<String>()
        for a in assignments {
            #expect(a["status"]?.stringValue == "ACCEPTED")
            #expect(a["accepted"] == a["submitted"])
            let tasks = a["tasks"]!.arrayValue!, solutions = a["solutions"]!.arrayValue!
            #expect(tasks.count == solutions.count)
            for t in tasks {
                if t["known_solutions"] == nil {
                    answersPerTask[t["input_values"]!["path"]!.stringValue!, default: 0] += 1
                } else {
                    #expect(seenControl.insert("\(a["user_id"]!.stringValue!)|\(t["id"]!.stringValue!)").inserted, "a control task at most once per Toloker")
                }
            }
        }
        #expect(answersPerTask.count == 100)
        #expect(answersPerTask.values.allSatisfy { $0 == 3 }, "overlap 3 on every real task")

        // The golden-set rule: replay it on the assignments and compare with the engine's log and the restrictions.
        let truth = Dictionary(uniqueKeysWithValues: rows.map { ($0.url, $0.sex) })
        var byWorker: [String: [JSONValue]] = [:]
        for a in assignments { byWorker[a["user_id"]!.stringValue!, default: []].append(a) }
        var expectedBans: [String: String] = [:]
        for (worker, list) in byWorker {
            var window: [Bool] = []
            for a in list.sorted(by: { ($0["submitted"]!.stringValue!, $0["id"]!.stringValue!) < ($1["submitted"]!.stringValue!, $1["id"]!.stringValue!) }) {
                if let banned = expectedBans[worker] {
                    #expect(a["created"]!.stringValue! < banned, "no suite is issued after a ban")
                    continue
                }
                for (t, s) in zip(a["tasks"]!.arrayValue!, a["solutions"]!.arrayValue!) where t["known_solutions"] != nil {
                    window.append(s["output_values"]!["result"]!.stringValue! == truth[t["input_values"]!["path"]!.stringValue!])
                }
                window = Array(window.suffix(10))
                if !window.isEmpty, Double(window.filter { $0 }.count) * 100 / Double(window.count) <= 80 {
                    expectedBans[worker] = a["submitted"]!.stringValue!
                }
            }
        }
        let qcLog = try #require(try await emulator.send("GET", "/_emulator/pools/\(poolID)/quality-control-log").json?["items"]?.arrayValue)
        let logged = Dictionary(qcLog.map { ($0["user_id"]!.stringValue!, $0["time"]!.stringValue!) }, uniquingKeysWith: { a, _ in a })
        #expect(qcLog.allSatisfy { $0["action"]?.stringValue == "RESTRICTION_V2" && $0["rule"]?.stringValue == "configs[0].rules[0]" })
        #expect(logged == expectedBans)
        #expect(!expectedBans.isEmpty, "the crowd's spammers get banned")
        let restrictions = try await emulator.send("GET", "/api/v1/user-restrictions", query: ["pool_id": poolID, "limit": "500"])
        #expect(Set(restrictions.items.compactMap { $0["user_id"]?.stringValue }) == Set(expectedBans.keys))
        #expect(restrictions.items.allSatisfy { $0["scope"]?.stringValue == "POOL" && $0["private_comment"]?.stringValue == "bad quality" })

        // The crowd: spammers are among the banned, and accuracy is what the crowd implies.
        let crowd = try #require(try await emulator.send("GET", "/_emulator/crowd").json?["workers"]?.arrayValue)
        let accuracy = Dictionary(uniqueKeysWithValues: crowd.map { ($0["user_id"]!.stringValue!, $0["accuracy"]?.doubleValue ?? 0.5) })
        var expected = 0.0, observed = 0.0, n = 0.0
        for a in assignments {
            for (t, s) in zip(a["tasks"]!.arrayValue!, a["solutions"]!.arrayValue!) where t["known_solutions"] == nil {
                expected += accuracy[a["user_id"]!.stringValue!]!
                observed += s["output_values"]!["result"]!.stringValue! == truth[t["input_values"]!["path"]!.stringValue!] ? 1 : 0
                n += 1
            }
        }
        #expect(abs(observed / n - expected / n) < 0.06, "observed \(observed / n) vs crowd \(expected / n)")
        // The pool's filter (languages IN EN) keeps the crowd's RU-only Tolokers out.
        let english = Set(crowd.filter { $0["languages"]?.arrayValue?.contains("EN") == true }.map { $0["user_id"]!.stringValue! })
        #expect(english.count < crowd.count)
        #expect(assignments.allSatisfy { english.contains($0["user_id"]!.stringValue!) })

        // The TSV export has one row per task per accepted assignment.
        let tsv = try await emulator.send("GET", "/api/new/requester/pools/\(poolID)/assignments.tsv")
        let lines = String(decoding: tsv.data, as: UTF8.self).split(separator: "\n")
        #expect(lines.first?.hasPrefix("INPUT:path\tOUTPUT:result\tGOLDEN:result\tHINT:text") == true)
        #expect(lines.count == 1 + assignments.reduce(0) { $0 + $1["tasks"]!.arrayValue!.count })

        // The server is still fine.
        #expect(try await emulator.send("GET", "/api/v1/requester").status == 200)
    }

    @Test("instant speed: the pool completes as soon as it opens, and the same seed gives the same assignments")
    func instantAndDeterministic() async throws {
        var runs: [[String]] = []
        for _ in 0..<2 {
            let clock = ManualClock()
            let emulator = try await RunningEmulator.start(EmulatorConfiguration(speed: nil, seed: 11, rateLimits: .none), clock: clock)
            defer { emulator.stop() }
            let projectID = try await emulator.send("POST", "/api/v1/projects", json: Notebook.project).json!["id"]!.stringValue!
            let poolID = try await emulator.send("POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID)).json!["id"]!.stringValue!
            let created = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true", "open_pool": "true"],
                                                  json: Notebook.tasks(poolID: poolID, rows: Notebook.voices()))
            #expect(created.status == 201)
            #expect(created.json?["items"]?.objectValue?.count == 120)
            let pool = try await emulator.send("GET", "/api/v1/pools/\(poolID)").json!
            #expect(pool["status"]?.stringValue == "CLOSED")
            #expect(pool["last_close_reason"]?.stringValue == "COMPLETED")
            let (assignments, _) = try await emulator.listAll("/api/v1/assignments", query: ["pool_id": poolID], limit: 1000)
            runs.append(assignments.map { "\($0["user_id"]!.stringValue!) \($0["solutions"]!)" })
        }
        #expect(runs[0] == runs[1])
        #expect(!runs[0].isEmpty)
    }
}
