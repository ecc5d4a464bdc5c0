import Foundation
import Testing
import TallyAggregation
import TallyCore
import TallySimulation
@testable import TolokaEmulator

/// A `TallySimulation` scenario as the emulator's crowd (`tally emulator serve --crowd scenario.json`).
@Suite("Emulator: a TallySimulation scenario as the crowd")
struct ScenarioCrowdTests {
    /// A scenario file's text: the crowd given, the rest the notebook's pool (ignored by the emulator).
    static func scenarioJSON(labels: [String] = ["male", "female"], prior: [Double]? = nil, types: String,
                             activity: String = #"{"distribution": "fixed", "suites": 8}"#, maxWorkers: Int = 300) -> Data {
        let priorText = prior.map { ", \"prior\": [\($0.map { String($0) }.joined(separator: ", "))]" } ?? ""
        return Data("""
        {
          "name": "test-crowd",
          "labels": [\(labels.map { "\"\($0)\"" }.joined(separator: ", "))],
          "tasks": { "count": 100, "golden_count": 20\(priorText) },
          "crowd": {
            "arrivals_per_hour": 600,
            "activity": \(activity),
            "first_visit_dropout": 0,
            "gap_seconds": 5,
            "max_workers": \(maxWorkers),
            "types": \(types)
          },
          "pool": {
            "reward_per_assignment": 0.01,
            "assignment_max_duration_seconds": 1200,
            "defaults": { "default_overlap_for_new_task_suites": 3 },
            "mixer_config": { "real_tasks_count": 4, "golden_tasks_count": 1, "training_tasks_count": 0 }
          }
        }
        """.utf8)
    }

    static let mixedTypes = """
        [{"type": "one_coin", "name": "good", "share": 0.6, "accuracy": 0.9},
         {"type": "uniform_spammer", "name": "spammer", "share": 0.25},
         {"type": "golden_detector", "name": "detector", "share": 0.15, "detection": 1}]
        """

    static func truthMap(_ emulator: RunningEmulator, pool: String) async throws -> [String: String] {
        let r = try await emulator.send("GET", "/_emulator/pools/\(pool)/truth")
        #expect(r.status == 200)
        #expect(r.headers["content-type"]?.hasPrefix("text/tab-separated-values") == true)
        let lines = String(decoding: r.data, as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "task\tlabel")
        return Dictionary(uniqueKeysWithValues: lines.dropFirst().map { line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(cells[0]), String(cells[1]))
        })
    }

    /// Creates the notebook's project and pool, uploads `golden` + `real` tasks (sync, open_pool) and returns the pool id.
    static func runPool(_ emulator: RunningEmulator, golden: Int, real: Int, rows: [(url: String, sex: String)]? = nil) async throws -> String {
        let projectID = try #require(try await emulator.send("POST", "/api/v1/projects", json: Notebook.project).json?["id"]?.stringValue)
        let poolID = try #require(try await emulator.send("POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID)).json?["id"]?.stringValue)
        let created = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true", "open_pool": "true"],
                                              json: Notebook.tasks(poolID: poolID, rows: rows ?? Notebook.voices(golden + real), golden: golden))
        #expect(created.status == 201)
        return poolID
    }

    @Test("an instant pool with good one-coin Tolokers, uniform spammers and golden detectors: overlap, bans, detectors, accuracy as implied")
    func mixedCrowdPool() async throws {
        let scenario = try Scenario.decode(Self.scenarioJSON(types: Self.mixedTypes))
        let crowd = try ScenarioCrowd(scenario, seed: 5)
        #expect(crowd.workers.count == 300)
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(speed: nil, seed: 5, crowd: crowd, rateLimits: .none), clock: ManualClock())
        defer { emulator.stop() }
        let rows = Notebook.voices(440)
        let poolID = try await Self.runPool(emulator, golden: 40, real: 400, rows: rows)
        let pool = try await emulator.send("GET", "/api/v1/pools/\(poolID)").json!
        #expect(pool["status"]?.stringValue == "CLOSED")
        #expect(pool["last_close_reason"]?.stringValue == "COMPLETED")

        // The hidden truth of real tasks: the scenario's label model, a function of the task's inputs.
        let truth = try await Self.truthMap(emulator, pool: poolID)
        #expect(truth.count == 400)
        for (url, label) in truth {
            #expect(label == crowd.trueLabel(forTask: CrowdTask.key(inputs: ["path": .string(url)]), options: ["female", "male"]))
        }
        let golden = Dictionary(uniqueKeysWithValues: rows.prefix(40).map { ($0.url, $0.sex) })

        let (assignments, _) = try await emulator.listAll("/api/v1/assignments", query: ["pool_id": poolID], limit: 1000)
        let kinds = Dictionary(uniqueKeysWithValues: crowd.workers.map { ($0.id, $0.kind) })
        var answersPerTask: [String: Int] = [:]
        var real: [(task: String, worker: String, label: String)] = []
        var control: [String: [Bool]] = [:]  // worker → control answers right/wrong, in submission order
        for a in assignments.sorted(by: { ($0["submitted"]!.stringValue!, $0["id"]!.stringValue!) < ($1["submitted"]!.stringValue!, $1["id"]!.stringValue!) }) {
            #expect(a["status"]?.stringValue == "ACCEPTED")
            let worker = a["user_id"]!.stringValue!
            for (t, s) in zip(a["tasks"]!.arrayValue!, a["solutions"]!.arrayValue!) {
                let url = t["input_values"]!["path"]!.stringValue!, label = s["output_values"]!["result"]!.stringValue!
                if t["known_solutions"] != nil {
                    control[worker, default: []].append(label == golden[url])
                } else {
                    answersPerTask[url, default: 0] += 1
                    real.append((url, worker, label))
                }
            }
        }
        #expect(answersPerTask.count == 400)
        #expect(answersPerTask.values.allSatisfy { $0 == 3 }, "overlap 3 on every real task")

        // The golden-set rule (window 10, ban at ≤ 80 % after ≥ 1 control answer), replayed on the answers,
        // bans exactly the Tolokers the emulator banned.
        var expected = Set<String>()
        for (worker, answers) in control {
            for n in 1...answers.count {
                let window = answers[max(0, n - 10)..<n]
                if Double(window.filter { $0 }.count) * 100 / Double(window.count) <= 80 { expected.insert(worker); break }
            }
        }
        let qcLog = try #require(try await emulator.send("GET", "/_emulator/pools/\(poolID)/quality-control-log").json?["items"]?.arrayValue)
        let banned = Set(qcLog.compactMap { $0["user_id"]?.stringValue })
        #expect(banned == expected)
        let spammers = control.keys.filter { kinds[$0] == "spammer" }
        let bannedSpammers = spammers.filter { banned.contains($0) }
        #expect(!spammers.isEmpty)
        #expect(Double(bannedSpammers.count) >= 0.85 * Double(spammers.count), "spammers banned: \(bannedSpammers.count) of \(spammers.count)")

        // Golden detectors: every control answer right (never banned), real answers at random.
        let detectors = control.keys.filter { kinds[$0] == "detector" }
        #expect(!detectors.isEmpty)
        #expect(detectors.allSatisfy { control[$0]!.allSatisfy { $0 } && !banned.contains($0) })
        let detectorAnswers = real.filter { kinds[$0.worker] == "detector" }
        let detectorAccuracy = Double(detectorAnswers.filter { $0.label == truth[$0.task] }.count) / Double(detectorAnswers.count)
        #expect(detectorAnswers.count >= 100)
        #expect(abs(detectorAccuracy - 0.5) <= 4 * (0.25 / Double(detectorAnswers.count)).squareRoot(), "golden detectors' real answers: \(detectorAccuracy)")

        // Good Tolokers answer real tasks right with probability 0.9.
        let goodAnswers = real.filter { kinds[$0.worker] == "good" }
        let goodAccuracy = Double(goodAnswers.filter { $0.label == truth[$0.task] }.count) / Double(goodAnswers.count)
        #expect(abs(goodAccuracy - 0.9) <= 4 * (0.09 / Double(goodAnswers.count)).squareRoot(), "good Tolokers: \(goodAccuracy)")

        // Aggregation: majority vote within 0.06 (≈ 3 standard deviations over 400 tasks) of what the
        // crowd implies — P(at least 2 of the task's 3 answerers right), from each answerer's accuracy
        // (0.9 good, 0.5 spammer or detector) — and Dawid-Skene no worse than that less 0.06.
        var implied = 0.0
        var byTask: [String: [Double]] = [:]
        for a in real { byTask[a.task, default: []].append(kinds[a.worker] == "good" ? 0.9 : 0.5) }
        for p in byTask.values {
            implied += p[0] * p[1] * p[2] + p[0] * p[1] * (1 - p[2]) + p[0] * (1 - p[1]) * p[2] + (1 - p[0]) * p[1] * p[2]
        }
        implied /= Double(byTask.count)
        let table = try AnswerTable(tasks: real.map(\.task), workers: real.map(\.worker), labels: real.map(\.label))
        func accuracy(_ labels: [Int32]) -> Double {
            Double((0..<table.taskCount).filter { table.labels[Int(labels[$0])] == truth[table.tasks.name(Int32($0))] }.count) / Double(table.taskCount)
        }
        let mv = accuracy(try MajorityVote().fit(table).labels)
        let ds = accuracy(try DawidSkene().fit(table).labels)
        print("scenario crowd: \(assignments.count) assignments by \(control.count) Tolokers; banned \(banned.count) (spammers \(bannedSpammers.count) of \(spammers.count)); detectors' real accuracy \(detectorAccuracy) on \(detectorAnswers.count); good \(goodAccuracy); MV \(mv), DS \(ds), implied MV \(implied)")
        #expect(abs(mv - implied) <= 0.06, "majority vote \(mv) vs implied \(implied)")
        #expect(ds >= implied - 0.06, "Dawid-Skene \(ds) vs implied majority vote \(implied)")
    }

    @Test("the label model: real tasks' truths follow tasks.prior (0.8 / 0.2 over 2,000 tasks) and depend only on the seed and the task's inputs")
    func truthFollowsPriorAndIsStable() async throws {
        let scenario = try Scenario.decode(Self.scenarioJSON(prior: [0.8, 0.2], types: #"[{"type": "one_coin", "share": 1, "accuracy": 0.9}]"#))
        let crowd = try ScenarioCrowd(scenario, seed: 21)
        let keys = (0..<2000).map { CrowdTask.key(inputs: ["path": .string(String(format: "https://tally.invalid/voices/%04d.wav", $0))]) }
        let labels = keys.map { crowd.trueLabel(forTask: $0, options: ["female", "male"])! }
        let male = labels.filter { $0 == "male" }.count
        let tolerance: Double = 4 * (2000 * 0.8 * 0.2 as Double).squareRoot()  // 4 binomial standard deviations: 71.6
        let deviation: Double = abs(Double(male) - 1600)
        #expect(deviation <= tolerance, "\(male) of 2000 male (prior 0.8)")
        // Same seed and key: same label, whatever the options' order, the pool copy or a rebuilt crowd.
        let again = try ScenarioCrowd(scenario, seed: 21)
        #expect(keys.map { again.trueLabel(forTask: $0, options: ["male", "female"])! } == labels)
        #expect(keys.map { crowd.trueLabel(forTask: $0, options: [])! } == labels)
        let other = try ScenarioCrowd(scenario, seed: 22)
        #expect(keys.map { other.trueLabel(forTask: $0, options: [])! } != labels, "another seed draws other truths")

        // Through the API: two emulators, one uploading the 2,000 tasks in order, the other in reverse
        // in two batches, give every task the same truth.
        var maps: [[String: String]] = []
        for reversed in [false, true] {
            let emulator = try await RunningEmulator.start(EmulatorConfiguration(speed: nil, seed: 21, crowd: crowd, rateLimits: .none), clock: ManualClock())
            defer { emulator.stop() }
            let projectID = try #require(try await emulator.send("POST", "/api/v1/projects", json: Notebook.project).json?["id"]?.stringValue)
            let poolID = try #require(try await emulator.send("POST", "/api/v1/pools", json: Notebook.pool(projectID: projectID)).json?["id"]?.stringValue)
            var rows = Notebook.voices(2000)
            if reversed { rows.reverse() }
            for batch in reversed ? [Array(rows[..<700]), Array(rows[700...])] : [rows] {
                let r = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true"], json: Notebook.tasks(poolID: poolID, rows: batch, golden: 0))
                #expect(r.status == 201)
            }
            maps.append(try await Self.truthMap(emulator, pool: poolID))
        }
        #expect(maps[0].count == 2000)
        #expect(maps[0] == maps[1])
        #expect(maps[0].values.filter { $0 == "male" }.count == male)
    }

    @Test("scenario labels that are not the pool's options: matched by position, with a note")
    func labelMismatch() async throws {
        let scenario = try Scenario.decode(Self.scenarioJSON(labels: ["yes", "no"], prior: [0.9, 0.1], types: #"[{"type": "fixed_answer", "share": 1, "label": "no"}]"#))
        let crowd = try ScenarioCrowd(scenario, seed: 3)
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(speed: nil, seed: 3, crowd: crowd, rateLimits: .none), clock: ManualClock())
        defer { emulator.stop() }
        // The project declares female, male; the control tasks say female or male.
        let poolID = try await Self.runPool(emulator, golden: 20, real: 200)
        let notes = try #require(try await emulator.send("GET", "/_emulator/status").json?["notes"]?.arrayValue?.compactMap(\.stringValue))
        #expect(notes == ["pool \(poolID): the crowd scenario's labels [yes, no] are not the answer options [female, male]; they are matched by position (yes = female, no = male) for the prior, fixed answers and confusion matrices"])
        let truth = try await Self.truthMap(emulator, pool: poolID)
        #expect(Set(truth.values) == ["female", "male"])
        #expect(truth.values.filter { $0 == "female" }.count > 150, "prior 0.9 on yes = female")
        // A fixed-answer Toloker whose label is "no" answers "male" everywhere.
        let (assignments, _) = try await emulator.listAll("/api/v1/assignments", query: ["pool_id": poolID], limit: 1000)
        #expect(!assignments.isEmpty)
        #expect(assignments.allSatisfy { $0["solutions"]!.arrayValue!.allSatisfy { $0["output_values"]?["result"]?.stringValue == "male" } })
    }

    @Test("label spaces: the scenario's labels, a superset of options, by position, or different counts")
    func labelSpaces() {
        let same = LabelSpace(scenario: ["a", "b"], prior: [0.7, 0.3], options: ["b"])
        #expect(same.labels == ["a", "b"] && same.prior == [0.7, 0.3] && same.note == nil)
        let superset = LabelSpace(scenario: ["a", "b"], prior: [0.7, 0.3], options: ["c", "b", "a"])
        #expect(superset.labels == ["c", "b", "a"] && superset.prior == [0, 0.3, 0.7] && superset.fromScenario == [2, 1])
        #expect(superset.toScenario == [nil, 1, 0] && superset.note?.contains("[c]") == true)
        let positional = LabelSpace(scenario: ["a", "b"], prior: [0.7, 0.3], options: ["x", "y"])
        #expect(positional.labels == ["x", "y"] && positional.prior == [0.7, 0.3] && positional.confusionUsable)
        let different = LabelSpace(scenario: ["a", "b"], prior: [0.7, 0.3], options: ["x", "b", "z"])
        #expect(different.labels == ["x", "b", "z"] && different.prior.allSatisfy { abs($0 - 1.0 / 3) < 1e-12 })
        #expect(different.fromScenario == [0, 1] && !different.confusionUsable && different.note != nil)
    }

    @Test("every worker model answers in a pool with a three-label scenario (confusion, GLAD, colluding, adversarial, fixed answer)")
    func everyModel() async throws {
        let types = """
            [{"type": "confusion", "share": 1, "concentration": 0.5, "diagonal": 3},
             {"type": "glad", "share": 1, "ability": 2},
             {"type": "colluding", "share": 1, "group_size": 3, "accuracy": 0.6},
             {"type": "adversarial", "share": 1, "strength": 1},
             {"type": "fixed_answer", "share": 1, "label": "b"},
             {"type": "fast_cheater", "share": 1}]
            """
        var text = String(decoding: Self.scenarioJSON(labels: ["a", "b", "c"], types: types), as: UTF8.self)
        text = text.replacingOccurrences(of: #""golden_count": 20"#, with: #""golden_count": 20, "difficulty": {"model": "glad", "log_beta_mean": 0, "log_beta_sd": 0.5}"#)
        let scenario = try Scenario.decode(Data(text.utf8))
        let crowd = try ScenarioCrowd(scenario, seed: 8, rosterSize: 60)
        #expect(crowd.workers.count == 60)
        var project = Notebook.project
        if case .object(var o) = project, case .object(var spec)? = o["task_spec"] {
            spec["view_spec"] = nil
            o["task_spec"] = .object(spec)
            project = .object(o)
        }
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(speed: nil, seed: 8, crowd: crowd, rateLimits: .none), clock: ManualClock())
        defer { emulator.stop() }
        let projectID = try #require(try await emulator.send("POST", "/api/v1/projects", json: project).json?["id"]?.stringValue)
        var poolJSON = Notebook.pool(projectID: projectID)
        if case .object(var o) = poolJSON { o["quality_control"] = nil; poolJSON = .object(o) }
        let poolID = try #require(try await emulator.send("POST", "/api/v1/pools", json: poolJSON).json?["id"]?.stringValue)
        let rows = (0..<220).map { (url: "https://tally.invalid/x/\($0)", sex: ["a", "b", "c"][$0 % 3]) }
        let created = try await emulator.send("POST", "/api/v1/tasks", query: ["allow_defaults": "true", "open_pool": "true"],
                                              json: Notebook.tasks(poolID: poolID, rows: rows, golden: 20))
        #expect(created.status == 201)
        #expect(try await emulator.send("GET", "/api/v1/pools/\(poolID)").json?["last_close_reason"]?.stringValue == "COMPLETED")
        let truth = try await Self.truthMap(emulator, pool: poolID)
        let (assignments, _) = try await emulator.listAll("/api/v1/assignments", query: ["pool_id": poolID], limit: 1000)
        let kinds = Dictionary(uniqueKeysWithValues: crowd.workers.map { ($0.id, $0.kind) })
        var right: [String: (Int, Int)] = [:]
        var colluders: [String: [String: String]] = [:]  // task → worker → answer
        for a in assignments {
            let kind = kinds[a["user_id"]!.stringValue!]!
            for (t, s) in zip(a["tasks"]!.arrayValue!, a["solutions"]!.arrayValue!) where t["known_solutions"] == nil {
                let url = t["input_values"]!["path"]!.stringValue!, label = s["output_values"]!["result"]!.stringValue!
                #expect(["a", "b", "c"].contains(label))
                let r = right[kind] ?? (0, 0)
                right[kind] = (r.0 + (label == truth[url] ? 1 : 0), r.1 + 1)
                if kind == "fixed_answer" { #expect(label == "b") }
                if kind == "adversarial" { #expect(label != truth[url], "strength 1: always wrong") }
                if kind == "colluding" { colluders[url, default: [:]][a["user_id"]!.stringValue!] = label }
            }
        }
        #expect(Set(right.keys) == ["confusion", "glad", "colluding", "adversarial", "fixed_answer", "fast_cheater"])
        let glad = right["glad"]!
        #expect(Double(glad.0) / Double(glad.1) > 0.7, "GLAD ability 2: \(glad)")
        // Colluders in one group answer a task alike: the roster's colluders form groups of 3 consecutive ones.
        let groupOf = Dictionary(uniqueKeysWithValues: crowd.workers.filter { $0.kind == "colluding" }.enumerated().map { ($0.element.id, $0.offset / 3) })
        for answers in colluders.values {
            var byGroup: [Int: Set<String>] = [:]
            for (w, l) in answers { byGroup[groupOf[w]!, default: []].insert(l) }
            #expect(byGroup.values.allSatisfy { $0.count == 1 })
        }
    }

    @Test("--crowd files: a scenario, the built-in crowd's settings, and clear errors naming the file and the field")
    func crowdFiles() throws {
        let scenario = try CrowdFile.parse(Self.scenarioJSON(types: Self.mixedTypes), name: "s.json", seed: 1)
        #expect(scenario.format == "scenario")
        #expect(scenario.crowd is ScenarioCrowd)
        #expect(scenario.notes.first?.hasPrefix("crowd: scenario \"test-crowd\": 300 Tolokers (") == true)
        #expect(scenario.notes.contains { $0.contains("pool and simulation sections are ignored") })
        let oneCoin = try CrowdFile.parse(Data(#"{"workers": 7, "mix": [{"kind": "spammer", "share": 1}]}"#.utf8), name: "c.json", seed: 1)
        #expect(oneCoin.format == "one-coin settings")
        #expect(oneCoin.crowd.workers.count == 7)
        #expect(try CrowdFile.parse(Data("{}".utf8), name: "c.json", seed: 1).crowd.workers.count == 50)

        func message(_ text: String) -> String {
            do { _ = try CrowdFile.parse(Data(text.utf8), name: "bad.json", seed: 1); return "no error" } catch { return error.message }
        }
        #expect(message("not json").hasPrefix("--crowd bad.json: not valid JSON; expected a TallySimulation scenario"))
        #expect(message("[1, 2]").hasPrefix("--crowd bad.json: expected a JSON object: a TallySimulation scenario"))
        #expect(message(#"{"workers": 5, "types": []}"#).hasPrefix("--crowd bad.json: unknown key \"types\"; expected a TallySimulation scenario"))
        #expect(message(#"{"workers": "many"}"#) == "--crowd bad.json: read as the built-in crowd's settings: workers: expected an integer")
        #expect(message(#"{"workers": 0}"#) == "--crowd bad.json: read as the built-in crowd's settings: workers: expected 1…1000000, got 0")
        let badScenario = String(decoding: Self.scenarioJSON(types: #"[{"type": "one_coin", "share": 1, "accuracy": 1.5}]"#), as: UTF8.self)
        #expect(message(badScenario) == "--crowd bad.json: read as a TallySimulation scenario (it has labels): crowd.types[0].accuracy: expected a number from 0 to 1, got 1.5")
        #expect(message(#"{"crowd": {"arrivals_per_hour": 5}}"#).hasPrefix("--crowd bad.json: read as a TallySimulation scenario (it has crowd): "))
    }
}
