import Foundation
import TallyCore
import Testing
@testable import TolokaClient

@Suite("Toloka models")
struct TolokaModelTests {
    func json(_ s: String) throws -> JSONValue { try JSONValue(parsing: Data(s.utf8)) }

    @Test("requester from the spec's sample")
    func requester() throws {
        let r = try json("""
            {"id": "566ec2b0ff0deeaae5f9d500629de162", "balance": 121.3, "public_name": {"EN": "Jack Smith"},
             "company": {"id": "eaf25678e128e14dea651d8c32471f21", "superintendent_id": "566ec2b0ff0deeaae5f9d500629de162"}, "new_field": 1}
            """).decode(Requester.self)
        #expect(r.id == "566ec2b0ff0deeaae5f9d500629de162")
        #expect(r.balance == Decimal(string: "121.3"))
        #expect(r.publicName?["EN"] == "Jack Smith")
        #expect(r.company?.superintendentID == "566ec2b0ff0deeaae5f9d500629de162")
    }

    @Test("the spec's pool body decodes, keeps unknown fields and round-trips")
    func poolRoundTrip() throws {
        let text = """
            {"project_id": "123", "private_name": "Is it a male or female speaker", "may_contain_adult_content": false,
             "reward_per_assignment": 0.01, "assignment_max_duration_seconds": 1200,
             "defaults": {"default_overlap_for_new_task_suites": 3}, "will_expire": "2026-01-01T00:00:00",
             "filter": {"and": [{"or": [{"category": "profile", "key": "languages", "operator": "IN", "value": "EN"}]},
                                {"or": [{"category": "computed", "key": "client_type", "operator": "EQ", "value": "TOLOKA_APP"},
                                        {"category": "computed", "key": "client_type", "operator": "EQ", "value": "BROWSER"}]}]},
             "quality_control": {"configs": [{"collector_config": {"type": "GOLDEN_SET", "parameters": {"history_size": 10}},
               "rules": [{"conditions": [{"key": "golden_set_correct_answers_rate", "operator": "LTE", "value": 80.0},
                                         {"key": "golden_set_answers_count", "operator": "GTE", "value": 1}],
                          "action": {"type": "RESTRICTION_V2", "parameters": {"scope": "POOL", "duration": 3, "duration_unit": "DAYS", "private_comment": "bad quality"}}}]}]},
             "mixer_config": {"real_tasks_count": 4, "golden_tasks_count": 1, "training_tasks_count": 0},
             "speed_quality_balance": {"type": "TOP_PERCENTAGE_BY_QUALITY", "percent": 100},
             "some_future_field": {"x": [1, 2]}, "id": "456", "status": "CLOSED", "created": "2022-11-22T16:08:41.802"}
            """
        let j = try json(text)
        let pool = try Pool.decodePreservingUnknownFields(j)
        #expect(pool.mixerConfig == MixerConfig(realTasksCount: 4, goldenTasksCount: 1))
        #expect(pool.rewardPerAssignment == Decimal(string: "0.01"))
        #expect(pool.defaults?.defaultOverlapForNewTaskSuites == 3)
        #expect(pool.unknownFields["some_future_field"] == .object(["x": [1, 2]]))
        #expect(pool.qualityControl?["configs"]?[0]?["collector_config"]?["type"] == "GOLDEN_SET")
        guard case .and(let parts)? = pool.filter, case .or(let ors) = parts[1] else { Issue.record("filter tree"); return }
        #expect(ors.count == 2)
        let back = try pool.preservingJSON()
        #expect(back.differences(from: j) == [])
        // Creation drops read-only fields only.
        let created = try pool.creationJSON()
        #expect(created["id"] == nil && created["status"] == nil && created["created"] == nil)
        #expect(created["some_future_field"] != nil)
        #expect(created["reward_per_assignment"]?.serialized(numbers: .python) == "0.01")
    }

    @Test("filter normalisation as toloka-kit 1.x does it")
    func filterNormalized() {
        let c = Filter.condition(.init(category: "profile", key: "languages", operator: "IN", value: "EN"))
        #expect(c.normalized == .and([.or([c])]))
        #expect(Filter.and([c, .or([c])]).normalized == .and([.or([c]), .or([c])]))
    }

    @Test("task overlap is written as toloka-kit writes it")
    func taskOverlap() throws {
        let golden = TolokaTask(poolID: "1", inputValues: ["path": "a"], knownSolutions: [KnownSolution(outputValues: ["result": "male"])], infiniteOverlap: true)
        let g = try JSONValue(encoding: golden)
        #expect(g["overlap"] == .null && g["infinite_overlap"] == true)
        #expect(g.serialized(numbers: .python).contains("\"overlap\":null"))
        let plain = try JSONValue(encoding: TolokaTask(poolID: "1", inputValues: ["path": "b"]))
        #expect(plain["overlap"] == nil && plain["infinite_overlap"] == nil)
        let finite = try JSONValue(encoding: TolokaTask(poolID: "1", inputValues: ["path": "b"], overlap: 3))
        #expect(finite["overlap"] == 3 && finite["infinite_overlap"] == false)
    }

    @Test("the spec's assignment, operation and batch-create samples decode")
    func samples() throws {
        let a = try json("""
            { "id": "00022cfa46--637cf4098ccdeb4a260737de", "task_suite_id": "00022cfa46--637cf4098ccdeb4a260737dc",
              "pool_id": "36502086", "user_id": "d26d7d094e0dbb67ec46a269dc5dd15c", "status": "ACCEPTED", "reward": 0.01,
              "tasks": [ { "id": "00022cfa46--637cf3fb6e13181a0164e7e6", "input_values": {"image": "https://example.com/image1.jpg"},
                           "pool_id": "36502086", "overlap": 3, "infinite_overlap": false, "reserved_for": [],
                           "unavailable_for": [], "created": "2022-11-22T16:08:27.575", "remaining_overlap": 0 } ],
              "solutions": [ { "output_values": { "result": "cat" } } ],
              "mixed": true, "automerged": false,
              "created": "2022-11-22T16:08:41.802", "submitted": "2022-11-22T16:09:08.603", "accepted": "2022-11-22T16:09:08.603",
              "owner": { "id": "6c6e20dc86cca2ae787afcb2629de162", "myself": true } }
            """).decode(Assignment.self)
        #expect(a.tasks?.first?.remainingOverlap == 0)
        #expect(a.solutions?.first?.outputValues["result"] == "cat")
        #expect(a.reward == Decimal(string: "0.01"))
        #expect(TolokaDate.parse(a.created!) == TolokaDate.parse("2022-11-22T16:08:41.802000"))
        #expect(TolokaDate.parse("2021-08-24T06:30:08.51")!.timeIntervalSince1970 == 1_629_786_608.51)

        let op = try json("""
            { "id": "07700135-c34a-4df0-ae55-d44081dea432", "type": "ANALYTICS", "status": "SUCCESS",
              "submitted": "2022-11-22T16:11:38.874", "progress": 100,
              "parameters": { "value": [ { "name": "completion_percentage", "subject": "POOL", "subject_id": "36502086" } ] },
              "details": { "value": [ {
                  "request": { "name": "completion_percentage", "subject": "POOL", "subject_id": "36502086" },
                  "result": { "type": "NORMAL", "value": 96, "infinite": false, "approximate": false } },
                  { "request": { "name": "submitted_assignments_count", "subject": "POOL", "subject_id": "36502086" }, "result": 75 } ] } }
            """).decode(TolokaOperation.self)
        let r = AnalyticsResult(op)
        #expect(r.number("completion_percentage") == 96)
        #expect(r.number("submitted_assignments_count") == 75)

        let batch = try json("""
            { "items": { "0": { "id": "00014495f0--60213f7c25a8b84e2ffb7a2c", "pool_id": "21", "input_values": {"image": "http://images.com/1.png"},
                                "overlap": 1, "infinite_overlap": false, "remaining_overlap": 1, "created": "2016-10-09T11:42:01" } },
              "validation_errors": { "2": { "input_values.image": { "code": "VALUE_REQUIRED", "message": "Value must be present and not equal to null" } } } }
            """).decode(TaskBatchCreateResult.self)
        #expect(batch.items["0"]?.overlap == 1)
        #expect(batch.validationErrors?["2"]?["input_values.image"]?["code"] == "VALUE_REQUIRED")
    }

    @Test("the notebook's template-builder config is typed and round-trips; unknown components are kept")
    func templateBuilder() throws {
        let text = """
            {"view": {"type": "view.list", "items": [
               {"type": "view.audio", "url": {"type": "data.input", "path": "path"}, "validation": {"type": "condition.played", "hint": "you need to listen to the audio"}},
               {"type": "field.button-radio-group", "data": {"type": "data.output", "path": "result"}, "label": "Is it a male or female speaker?",
                "options": [{"value": "female", "label": "Female"}, {"value": "male", "label": "Male"}], "validation": {"type": "condition.required"}},
               {"type": "view.text", "content": {"type": "helper.join", "items": ["a", "b"], "by": " "}},
               {"type": "view.image", "url": "https://x/y.png", "ratio": [1, 1]},
               {"type": "view.markdown", "content": "**hi**"}]},
             "plugins": [{"type": "plugin.toloka", "layout": {"kind": "scroll", "taskWidth": 300}},
                         {"type": "plugin.hotkeys", "1": {"type": "action.set", "data": {"type": "data.output", "path": "result"}, "payload": "female"},
                          "2": {"type": "action.set", "data": {"type": "data.output", "path": "result"}, "payload": "male"}}],
             "vars": {"x": 1}}
            """
        let j = try json(text)
        let config = try TemplateBuilderConfig(json: j)
        guard case .list(let list) = config.view else { Issue.record("view.list"); return }
        guard case .audio(let audio) = list.items[0], case .component(.data(let ref)) = audio.url else { Issue.record("audio"); return }
        #expect(ref.type == "data.input" && ref.path == "path")
        guard case .condition(let played)? = audio.validation else { Issue.record("condition"); return }
        #expect(played.type == "condition.played")
        guard case .buttonRadioGroup(let radio) = list.items[1] else { Issue.record("radio"); return }
        #expect(radio.options.map(\.value) == ["female", "male"])
        guard case .text = list.items[2], case .image(let image) = list.items[3], case .unknown = list.items[4] else { Issue.record("text/image/unknown"); return }
        #expect(image.other["ratio"] == [1, 1])
        guard case .hotkeys(let keys)? = config.plugins?[1] else { Issue.record("hotkeys"); return }
        #expect(Set(keys.keys.keys) == ["1", "2"])
        #expect(config.json.differences(from: j) == [])
        // Serialised into view_spec.config and parsed back.
        let spec = ViewSpec(templateBuilder: config)
        #expect(spec.templateBuilderConfig == config)
        #expect(spec.lock?["view.audio"] == "1.0.0" && spec.lock?["core"] == "1.0.0" && spec.lock?["data.input"] == nil)
    }

    @Test("Retry-After: seconds and HTTP dates")
    func retryAfter() {
        #expect(RetryPolicy.retryAfterSeconds("3") == 3)
        #expect(RetryPolicy.retryAfterSeconds(" 0 ") == 0)
        let now = Date(timeIntervalSince1970: 1_700_000_000) // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(RetryPolicy.retryAfterSeconds("Tue, 14 Nov 2023 22:13:25 GMT", now: now) == 5)
        #expect(RetryPolicy.retryAfterSeconds("Tue, 14 Nov 2023 22:13:00 GMT", now: now) == 0)
        #expect(RetryPolicy.retryAfterSeconds("soon") == nil)
        let p = RetryPolicy(baseDelay: 1, maxDelay: 60)
        #expect(p.backoff(attempt: 1, random: 1) == 1 && p.backoff(attempt: 3, random: 1) == 4 && p.backoff(attempt: 20, random: 1) == 60)
        #expect(p.backoff(attempt: 3, random: 0) == 2)
    }

    @Test("the credential never shows: description, debug, dump, interpolation")
    func credentialRedacted() {
        let secret = "AQAAAAAA.secret-value.XYZ"
        let c = TolokaCredential(secret, scheme: .oauth)
        var dumped = ""
        dump(c, to: &dumped)
        for text in [c.description, c.debugDescription, "\(c)", String(reflecting: c), dumped] {
            #expect(!text.contains(secret) && !text.contains("secret-value"))
        }
        #expect(c.authorizationHeader == "OAuth \(secret)")
        #expect(TolokaCredential(guessing: "ApiKey abc").scheme == .apiKey)
        #expect(TolokaCredential(guessing: "1234567890123456789012.abc.def").scheme == .apiKey)
        #expect(TolokaCredential(guessing: "y0_AgAAAAA").scheme == .oauth)
        #expect(c.redact("token \(secret) here") == "token ‹redacted› here")
    }

    @Test("environments")
    func environments() {
        #expect(TolokaEnvironment.production.baseURL.absoluteString == "https://toloka.dev/api")
        #expect(TolokaEnvironment(argument: "emulator:9001")?.baseURL.absoluteString == "http://127.0.0.1:9001/api")
        #expect(TolokaEnvironment(argument: "https://tasks.yandex.ru")?.baseURL.absoluteString == "https://tasks.yandex.ru/api")
        #expect(TolokaEnvironment(argument: "https://tasks.yandex.ru/api")?.baseURL.absoluteString == "https://tasks.yandex.ru/api")
        #expect(TolokaEnvironment(argument: "nonsense") == nil)
    }

    @Test("the workflow file reads the notebook's tasks: 20 golden, 100 real, typed")
    func workflowFile() throws {
        let wf = try Workflow.load(Paths.workflow.path)
        #expect(wf.tasks.count == 120)
        #expect(wf.tasks.filter { $0.golden != nil }.count == 20)
        #expect(wf.labelField == "result")
        #expect(wf.inputFields == ["path"])
        #expect(wf.pool.mixerConfig == MixerConfig(realTasksCount: 4, goldenTasksCount: 1))
        #expect(wf.project.taskSpec?.viewSpec?.templateBuilderConfig != nil)
        let t = wf.task(wf.uploadOrder()[0], poolID: "9")
        #expect(t.isGolden && t.infiniteOverlap == true)
        #expect(TSV.parse("a\tb\n\"x\ty\"\t\"say \"\"hi\"\"\"\n") == [["a", "b"], ["x\ty", "say \"hi\""]])
    }
}
