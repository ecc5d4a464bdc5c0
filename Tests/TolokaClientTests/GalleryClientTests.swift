import Foundation
import Testing
import TallyAggregation
import TallyCore
import TallyTestSupport
@testable import TolokaClient

/// Skills, user skills, trainings, pool update and Toloka's aggregation through the client,
/// against the emulator in-process; and a workflow with a training pool run end to end.
@Suite("Client: skills, trainings, pool update, aggregation (issue 20)")
struct GalleryClientTests {
    static let trainingWorkflow = Repository.file("datasets/toloka-audio-gender/workflow-training.json")

    /// The shipped audio project, created on `client`.
    func project(_ client: TolokaAPIClient) async throws -> Project {
        try await client.createProject(notebookWorkflow().project)
    }

    /// A Toloker of the emulator's crowd.
    func someWorker(_ emulator: InProcessEmulator) async throws -> String {
        try #require(try await emulator.emulatorJSON("crowd")["workers"]?.arrayValue?.first?["user_id"]?.stringValue)
    }

    @Test("skills: created once by name, found again, read by id; a Toloker's value set and listed")
    func skillsRoundTrip() async throws {
        let emulator = try InProcessEmulator()
        let client = emulator.client(pageSize: 2)
        let (made, created) = try await client.skill(named: Skill(name: "Accuracy", privateComment: "from control tasks"))
        #expect(created && made.id != nil && made.privateComment == "from control tasks" && made.hidden == true)
        for name in ["a", "b", "c"] { _ = try await client.createSkill(Skill(name: name)) }
        let (again, createdAgain) = try await client.skill(named: Skill(name: "Accuracy"))
        #expect(!createdAgain && again.id == made.id)
        #expect(try await client.skills().map(\.name) == ["Accuracy", "a", "b", "c"], "paged by 2")
        #expect(try await client.skill(id: made.id!).name == "Accuracy")

        let user = try await someWorker(emulator)
        let set = try await client.setUserSkill(skillID: made.id!, userID: user, value: Decimal(string: "42.5")!)
        #expect(set.userID == user && set.value == 42 && set.exactValue == 42.5)
        let listed = try await client.userSkills(skillID: made.id!)
        #expect(listed.map(\.userID) == [user] && listed.first?.score == 42.5)
        #expect(try await client.userSkills(skillID: made.id!, userID: "nobody").isEmpty)
        do {
            try await client.setUserSkill(skillID: made.id!, userID: user, value: 101)
            Issue.record("a value over 100 was accepted")
        } catch let e as TolokaError {
            #expect(e.status == 400 && e.payload?["value"]?["code"] == "VALUE_GREATER_THAN_MAX")
        }
    }

    @Test("trainings: create with a key, get, list by project, upload tasks with hints, open, close")
    func trainingsRoundTrip() async throws {
        let emulator = try InProcessEmulator()
        let client = emulator.client()
        let projectID = try #require(try await project(client).id)
        var body = Training(projectID: projectID, privateName: "warm-up", assignmentMaxDurationSeconds: 600,
                            trainingTasksInTaskSuiteCount: 2, taskSuitesRequiredToPass: 2)
        body.inheritedInstructions = true
        let training = try await client.createTraining(body, key: "k-1")
        let id = try #require(training.id)
        #expect(training.isClosed && training.trainingSkillID != nil && TolokaAPIClient.carries(training.metadata, "k-1"))
        #expect(try await client.training(id: id).privateName == "warm-up")
        #expect(try await client.trainings(projectID: projectID).map(\.id) == [id])
        #expect(try await client.trainings(projectID: "999999").isEmpty)

        var tasks: [TolokaTask] = []
        for i in 0..<4 {
            var t = TolokaTask(poolID: id, inputValues: ["path": .string("https://example.org/t\(i).mp3")],
                               knownSolutions: [KnownSolution(outputValues: ["result": i % 2 == 0 ? "male" : "female"])], infiniteOverlap: true)
            t.messageOnUnknownSolution = "listen again"
            tasks.append(t)
        }
        try await client.createTasks(tasks, operationID: UUID())
        let stored = try await client.tasks(poolID: id)
        #expect(stored.count == 4 && stored.allSatisfy { $0.messageOnUnknownSolution == "listen again" && $0.isGolden })
        #expect(try await client.openTraining(id: id).isOpen)
        #expect(try await client.openTraining(id: id).isOpen, "opening an open training is a no-op (204)")
        #expect(try await client.closeTraining(id: id).isClosed)
        await #expect(throws: TolokaError.self) { try await client.training(id: "123456789") }
    }

    @Test("pool update: read, change, PUT, read back; an invalid change is a 400 naming the field")
    func poolUpdate() async throws {
        let emulator = try InProcessEmulator()
        let client = emulator.client()
        let projectID = try #require(try await project(client).id)
        var body = try notebookWorkflow(fixedExpiry: true).pool
        body.projectID = projectID
        body.willExpire = "2099-01-01T00:00:00"
        let id = try #require(try await client.createPool(body).id)
        var pool = try await client.pool(id: id)
        pool.rewardPerAssignment = Decimal(string: "0.05")
        pool.privateComment = "raised"
        let updated = try await client.updatePool(id: id, pool)
        #expect(updated.rewardPerAssignment == Decimal(string: "0.05") && updated.privateComment == "raised")
        #expect(try await client.pool(id: id).rewardPerAssignment == Decimal(string: "0.05"))
        pool.assignmentMaxDurationSeconds = -1
        do {
            _ = try await client.updatePool(id: id, pool)
            Issue.record("a negative duration was accepted")
        } catch let e as TolokaError {
            #expect(e.status == 400 && e.payload?["assignment_max_duration_seconds"] != nil)
        }
    }

    /// Runs the shipped training workflow against `emulator` into a fresh folder.
    func runTrainingWorkflow(_ emulator: InProcessEmulator, dir: URL) async throws -> WorkflowRunner.Outcome {
        let runner = try WorkflowRunner(workflow: Workflow.load(Self.trainingWorkflow.path), client: emulator.client(pageSize: 50),
                                        statePath: dir.appendingPathComponent("state.json").path, outDir: dir.path)
        runner.pollInterval = 0.001
        // A bound on wall time, not a measurement: in the whole suite on two cores this test can wait
        // minutes for a thread while CPU-bound suites run (CI hit 120 s before the training opened).
        runner.timeout = 900
        return try await runner.run()
    }

    @Test("a workflow with a training pool and a skill runs end to end; the main pool admits only Tolokers who passed")
    func trainingWorkflowEndToEnd() async throws {
        let emulator = try InProcessEmulator()
        let client = emulator.client()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try await runTrainingWorkflow(emulator, dir: dir)
        let trainingID = try #require(outcome.trainingID)
        let skillID = try #require(outcome.skillIDs["Speaker gender accuracy"])

        // The training: its 10 tasks with their hints, closed after the main pool.
        let training = try await client.training(id: trainingID)
        let trainingSkill = try #require(training.trainingSkillID)
        #expect(training.isClosed)
        let trainingTasks = try await client.tasks(poolID: trainingID)
        #expect(trainingTasks.count == 10 && trainingTasks.allSatisfy { $0.isGolden && ($0.messageOnUnknownSolution ?? "").hasPrefix("The speaker") })

        // The main pool requires the training and carries the declared skill's id, not its placeholder.
        let pool = try await client.pool(id: outcome.poolID)
        #expect(pool.qualityControl?["training_requirement"]?["training_pool_id"] == .string(trainingID))
        #expect(pool.qualityControl?["training_requirement"]?["training_passing_skill_value"] == 70)
        let poolJSON = try pool.preservingJSON().serialized(numbers: .python)
        #expect(!poolJSON.contains("${skill:") && poolJSON.contains("\"skill_id\":\"\(skillID)\""))
        #expect(outcome.outputs.answers > 0 && outcome.closeReason == "COMPLETED")

        // Every Toloker in the main pool passed the training (user skills), scored before their first suite.
        var score: [String: (value: Double, at: Date)] = [:]
        for u in try await client.userSkills(skillID: trainingSkill) {
            score[u.userID] = (try #require(u.score), try #require(TolokaDate.parse(u.created ?? "")))
        }
        #expect(score.values.contains { $0.value < 70 }, "some Tolokers failed the training: \(score.values.map(\.value).sorted())")
        let assignments = try await client.assignments(poolID: outcome.poolID, statuses: [])
        #expect(!assignments.isEmpty)
        for a in assignments {
            let user = try #require(a.userID)
            let s = try #require(score[user], "\(user) worked in the main pool without a training score")
            #expect(s.value >= 70, "\(user) scored \(s.value) and was admitted")
            #expect(s.at <= (TolokaDate.parse(a.created ?? "") ?? .distantPast), "\(user) was issued a suite before passing")
        }
        // The declared skill was set by the pool's SET_SKILL_FROM_OUTPUT_FIELD rule, only for admitted Tolokers.
        let accuracy = try await client.userSkills(skillID: skillID)
        #expect(!accuracy.isEmpty && accuracy.allSatisfy { (score[$0.userID]?.value ?? 0) >= 70 })

        // Toloka's aggregation: written beside Tally's files when the emulator serves it, else reported, not thrown.
        let toloka = try #require(outcome.tolokaAggregation)
        if InProcessEmulator.servesAggregation {
            #expect(toloka.error == nil && toloka.tasks == outcome.outputs.tasks)
        } else {
            #expect(toloka.error?.contains("404") == true && toloka.path == nil, "\(toloka.error ?? "")")
        }

        // A rerun of the finished run only checks the credential (and retries a failed Toloka aggregation).
        let again = try await runTrainingWorkflow(emulator, dir: dir)
        #expect(again.poolID == outcome.poolID && again.trainingID == trainingID)
        #expect(try await client.trainings(projectID: outcome.projectID).count == 1)
        #expect(try await client.skills(name: "Speaker gender accuracy").count == 1)
    }

    @Test("aggregate-by-pool DAWID_SKENE through the client gives Tally's ds labels on the pool's accepted answers",
          .enabled(if: InProcessEmulator.servesAggregation, "the emulator does not serve aggregate-by-pool in this build"))
    func tolokaDawidSkeneEqualsTally() async throws {
        let emulator = try InProcessEmulator()
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try await runTrainingWorkflow(emulator, dir: dir)
        let toloka = try #require(outcome.tolokaAggregation)
        let path = try #require(toloka.path, "\(toloka.error ?? "")")
        let theirs = try Workflow.readTolokaLabels(path)
        let table = try AnswerReader.read(dir.appendingPathComponent(RunOutputs.answersFile).path, options: AnswerReadOptions(format: .crowdkit)).table
        let model = try #require(try MethodRegistry.method(named: "ds").fit(table).model)
        #expect(theirs.count == table.taskCount)
        var differ: [String] = []
        for t in 0..<table.taskCount {
            let name = table.tasks.name(Int32(t))
            if theirs[name] != table.labels[Int(model.labels[t])] { differ.append(name) }
        }
        #expect(differ.isEmpty, "\(differ.count) of \(table.taskCount) tasks differ: \(differ.prefix(5))")
    }
}

/// The aggregation calls' wire format (toloka-kit's own test shapes) and paging, on a scripted transport.
@Suite("Client: aggregation wire format")
struct AggregationWireTests {
    /// Answers `aggregate-by-pool` with a running operation, then `SUCCESS`, then solutions in pages of two.
    final class Script: HTTPTransport, @unchecked Sendable {
        let lock = NSLock()
        var seen: [HTTPRequest] = []
        let solutions: [JSONValue] = (1...5).map { i in
            ["pool_id": "21", "task_id": .string("task-\(i)"), "confidence": .double(0.5 + Double(i) / 20), "output_values": ["result": i % 2 == 0 ? "male" : "female"]]
        }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            lock.withLock { seen.append(request) }
            let path = request.url.path
            let query = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
            func json(_ v: JSONValue, _ status: Int = 200) -> HTTPResponse { HTTPResponse(status: status, body: Data(v.serialized(numbers: .python).utf8)) }
            let op: JSONValue = ["id": "agg-op", "type": "SOLUTION.AGGREGATE", "status": "RUNNING", "submitted": "2016-03-07T15:47:00", "parameters": ["pool_id": "21"]]
            switch path {
            case "/api/v1/aggregated-solutions/aggregate-by-pool": return json(op, 202)
            case "/api/v1/operations/agg-op":
                guard case .object(var o) = op else { return json(op) }
                o["status"] = "SUCCESS"
                return json(.object(o))
            case "/api/v1/aggregated-solutions/agg-op":
                let after = query.first { $0.name == "task_id_gt" }?.value
                let rest = solutions.filter { after == nil || $0["task_id"]!.stringValue! > after! }
                return json(["items": .array(Array(rest.prefix(2))), "has_more": .bool(rest.count > 2)])
            default: return json(["code": "NOT_FOUND", "message": "no route"], 404)
            }
        }
    }

    @Test("aggregate-by-pool sends toloka-kit's body, waits for SOLUTION.AGGREGATE, and pages solutions by task_id")
    func wire() async throws {
        let script = Script()
        var c = TolokaAPIClient.Configuration(environment: .emulator(port: 1), credential: TolokaCredential("secret-token", scheme: .apiKey),
                                              pageSize: 2, operationPollInterval: 0.001)
        c.sleep = { _ in }
        let client = TolokaAPIClient(configuration: c, transport: script)
        let op = try await client.aggregateByPool(AggregationRequest(type: "WEIGHTED_DYNAMIC_OVERLAP", poolID: "21", fields: ["out1"], answerWeightSkillID: "42"))
        #expect(op.succeeded && op.type == "SOLUTION.AGGREGATE")
        let body = try JSONValue(parsing: try #require(script.seen.first?.body))
        #expect(body == ["type": "WEIGHTED_DYNAMIC_OVERLAP", "pool_id": "21", "answer_weight_skill_id": "42", "fields": [["name": "out1"]]])
        let solutions = try await client.aggregatedSolutions(operationID: op.id)
        #expect(solutions.map(\.taskID) == (1...5).map { "task-\($0)" })
        #expect(solutions[1].outputValues["result"] == "male" && solutions[0].confidence == 0.55)
        let pages = script.seen.filter { $0.url.path == "/api/v1/aggregated-solutions/agg-op" }.map { $0.url.query ?? "" }
        #expect(pages == ["limit=2&sort=task_id", "limit=2&sort=task_id&task_id_gt=task-2", "limit=2&sort=task_id&task_id_gt=task-4"])
        // DAWID_SKENE without a weight skill leaves the field out.
        let ds = try JSONValue(encoding: AggregationRequest(type: "DAWID_SKENE", poolID: "21", fields: ["result"]))
        #expect(ds["answer_weight_skill_id"] == nil)
        #expect(script.seen.allSatisfy { !$0.description.contains("secret-token") })
    }
}

/// The workflow keys for skills, training and Toloka's aggregation: parsing and errors.
@Suite("Workflow: skills, training, toloka_aggregation keys")
struct WorkflowTrainingKeysTests {
    /// The shipped training workflow's JSON with `change` applied, built with its folder's files (or `files`).
    func workflow(_ change: (inout [String: JSONValue]) -> Void, files: [String: String] = [:]) throws -> Workflow {
        let url = GalleryClientTests.trainingWorkflow
        guard case .object(var o) = try JSONValue(parsing: Data(contentsOf: url)) else { throw TolokaError.invalidInput("workflow") }
        change(&o)
        let dir = url.deletingLastPathComponent()
        return try Workflow(json: .object(o), file: "w.json") { name in
            if let text = files[name] { return (name, Data(text.utf8)) }
            let u = dir.appendingPathComponent(name)
            return (u.path, try Data(contentsOf: u))
        }
    }

    /// Sets `training.<key>` in a workflow's JSON.
    static func setTraining(_ o: inout [String: JSONValue], _ key: String, _ value: JSONValue) {
        guard case .object(var t) = o["training"] ?? .null else { return }
        t[key] = value
        o["training"] = .object(t)
    }

    func message(_ body: () throws -> Workflow) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    @Test("the shipped training workflow reads; the plain workflow keeps its fingerprint and gets none of the new keys")
    func shipped() throws {
        let w = try Workflow.load(GalleryClientTests.trainingWorkflow.path)
        #expect(w.skills.map(\.name) == ["Speaker gender accuracy"])
        #expect(w.training?.tasks.count == 10 && w.training?.passingSkillValue == 70 && w.training?.tasks.allSatisfy { $0.hint != nil } == true)
        #expect(w.tolokaAggregation == Workflow.TolokaAggregationPlan(type: "DAWID_SKENE", field: "result", answerWeightSkill: nil))
        let plain = try notebookWorkflow()
        #expect(plain.skills.isEmpty && plain.training == nil && plain.tolokaAggregation == nil && plain.skillFilters.isEmpty)
        #expect(plain.fingerprint == (try notebookWorkflow()).fingerprint)
        #expect(w.fingerprint != (try workflow({ Self.setTraining(&$0, "tasks", ["file": "t.tsv"]) }, files: ["t.tsv": "INPUT:path\tGOLDEN:result\nhttps://x.org/a.mp3\tmale\nhttps://x.org/b.mp3\tfemale\n"])).fingerprint,
                "the training's task list is part of the fingerprint")
    }

    @Test("bad training, skill and aggregation keys are refused naming the file, line and key")
    func errors() throws {
        #expect(message { try workflow { $0["skills"] = [] } }.contains("${skill:Speaker gender accuracy}"))
        #expect(message { try workflow { $0["skill_filters"] = [["skill": "nope", "value": 50]] } }.contains("skill_filters[0] names the skill 'nope'"))
        #expect(message { try workflow { $0["skill_filters"] = [["skill": "Speaker gender accuracy", "operator": "GTE"]] } }.contains("needs a \"value\""))
        #expect(message { try workflow { Self.setTraining(&$0, "passing_skill_value", 120) } }.contains("passing_skill_value"))
        #expect(message { try workflow({ _ in }, files: ["training.tsv": "INPUT:path\tGOLDEN:result\nhttps://x.org/a.mp3\t\n"]) }.contains("training.tsv:2: a training task needs its known answer"))
        #expect(message { try workflow { $0["toloka_aggregation"] = ["type": "WEIGHTED_DYNAMIC_OVERLAP"] } }.contains("answer_weight_skill"))
        #expect(message { try workflow { $0["toloka_aggregation"] = ["field": "nothing"] } }.contains("toloka_aggregation.field 'nothing'"))
        #expect(message { try workflow { $0["toloka_aggregation"] = ["type": "MAJORITY_VOTE"] } }.contains("toloka_aggregation.type 'MAJORITY_VOTE' is not one of"))
    }

    @Test("the dry run plans the skill lookup, the training and its tasks, and a pool with the requirement and skill filter")
    func dryRun() throws {
        let w = try workflow { $0["skill_filters"] = [["skill": "Speaker gender accuracy", "operator": "GTE", "value": 60]] }
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = TolokaAPIClient(environment: .emulator(port: 1), credential: nil)
        let runner = try WorkflowRunner(workflow: w, client: client, statePath: dir.appendingPathComponent("s.json").path, outDir: dir.path)
        let planned = try runner.plannedRequests()
        let calls = planned.map { "\($0.method) \($0.url.path)" }
        #expect(Array(calls.prefix(7)) == ["GET /api/v1/requester", "GET /api/v1/projects", "POST /api/v1/projects", "GET /api/v1/skills",
                                           "POST /api/v1/skills", "POST /api/v1/trainings", "POST /api/v1/tasks"])
        #expect(calls.contains("POST /api/v1/trainings/<training id>/open"))
        let pool = try JSONValue(parsing: try #require(planned.first { $0.url.path == "/api/v1/pools" }?.body))
        #expect(pool["quality_control"]?["training_requirement"] == ["training_pool_id": "<training id>", "training_passing_skill_value": 70])
        let filter = pool["filter"]?.serialized(numbers: .python) ?? ""
        #expect(filter.contains("\"category\":\"skill\"") && filter.contains("\"operator\":\"GTE\""))
    }
}
