import Foundation
import Testing
@testable import TallyQualityControl

@Suite("QualityControl JSON")
struct QualityControlJSONTests {
    /// The notebook's pool as toloka-kit 1.2.3 sends it (spec §4.1), plus a fast-submit rule and server fields.
    static let pool = """
    {
      "project_id": "123",
      "private_name": "Is it a male or female speaker",
      "reward_per_assignment": 0.01,
      "defaults": { "default_overlap_for_new_task_suites": 3 },
      "quality_control": { "configs": [ {
        "collector_config": { "type": "GOLDEN_SET", "uuid": "0f4c3c1e-7d7a-4f43-a0a6-000000000001", "parameters": { "history_size": 10 } },
        "rules": [ {
          "conditions": [ { "key": "golden_set_correct_answers_rate", "operator": "LTE", "value": 80.0 },
                          { "key": "golden_set_answers_count",        "operator": "GTE", "value": 1 } ],
          "action": { "type": "RESTRICTION_V2",
                      "parameters": { "scope": "POOL", "duration": 3, "duration_unit": "DAYS",
                                      "private_comment": "bad quality" } }
        } ]
      }, {
        "collector_config": { "type": "ASSIGNMENT_SUBMIT_TIME", "parameters": { "history_size": 5, "fast_submit_threshold_seconds": 20 } },
        "rules": [ {
          "conditions": [ { "key": "total_submitted_count", "operator": "GTE", "value": 1 },
                          { "key": "fast_submitted_count", "operator": "GTE", "value": 1 } ],
          "action": { "type": "RESTRICTION_V2",
                      "parameters": { "scope": "PROJECT", "duration": 1, "duration_unit": "PERMANENT", "private_comment": "fast" } }
        } ]
      } ], "checkpoints_config": { "real_settings": { "target_overlap": 3 } } },
      "mixer_config": { "real_tasks_count": 4, "golden_tasks_count": 1, "training_tasks_count": 0 }
    }
    """

    static func expected() -> QualityControl {
        QualityControl(configs: [
            .init(Collector(.goldenSet, uuid: "0f4c3c1e-7d7a-4f43-a0a6-000000000001", historySize: 10), rules: [
                .init([Condition(.goldenSetCorrectAnswersRate, .lte, 80), Condition(.goldenSetAnswersCount, .gte, 1)],
                      .restriction(Restriction(scope: .pool, duration: 3, unit: .days, privateComment: "bad quality"))),
            ]),
            .init(.assignmentSubmitTime(fastSubmitThresholdSeconds: 20, historySize: 5), rules: [
                .init([Condition(.totalSubmittedCount, .gte, 1), Condition(.fastSubmittedCount, .gte, 1)],
                      .restriction(Restriction(scope: .project, duration: 1, unit: .permanent, privateComment: "fast"))),
            ]),
        ])
    }

    @Test("the notebook's pool loads unchanged; unknown fields are ignored")
    func loadsPool() throws {
        let qc = try QualityControl.decode(Data(Self.pool.utf8))
        #expect(qc == Self.expected())
    }

    @Test("round trip: encoding gives the same JSON shape as the pool's quality_control")
    func roundTrip() throws {
        let qc = try QualityControl.decode(Data(Self.pool.utf8))
        let encoded = qc.encoded()
        #expect(try QualityControl.decode(encoded) == qc)
        // Same JSON value as the input's quality_control, minus the ignored checkpoints_config.
        let input = try #require(try JSONSerialization.jsonObject(with: Data(Self.pool.utf8)) as? [String: Any])
        let original = try #require((input["quality_control"] as? [String: Any])?["configs"] as? NSArray)
        let output = try #require((try JSONSerialization.jsonObject(with: encoded) as? [String: Any])?["configs"] as? NSArray)
        #expect(original.isEqual(output))
    }

    @Test("a bare quality_control object loads too")
    func bareObject() throws {
        let qc = Self.expected()
        #expect(try QualityControl.decode(qc.encoded(pretty: true)) == qc)
    }

    @Test("every collector and action round-trips")
    func everything() throws {
        let qc = QualityControl(configs: [
            .init(.majorityVote(answerThreshold: 2, historySize: 10), rules: [
                .init([Condition(.totalAnswersCount, .gte, 3), Condition(.incorrectAnswersRate, .gt, 50)], .setSkillFromOutputField(skillID: "42", fromField: .correctAnswersRate)),
            ]),
            .init(.answerCount, rules: [.init([Condition(.assignmentsAcceptedCount, .gte, 100)], ban(12, .hours, scope: .allProjects))]),
            .init(.skippedInRowAssignments, rules: [.init([Condition(.skippedInRowCount, .gte, 5)], ban(30, .minutes))]),
            .init(.acceptanceRate(historySize: 20), rules: [
                .init([Condition(.rejectedAssignmentsRate, .gt, 30)], .rejectAllAssignments(publicComment: "sorry")),
                .init([Condition(.acceptedAssignmentsRate, .eq, 100)], .approveAllAssignments),
                .init([Condition(.totalAssignmentsCount, .ne, 0)], .setSkill(skillID: "7", skillValue: 90)),
            ]),
            .init(.goldenSet(), rules: [
                .init([Condition(.correctAnswersRate, .lt, 40)], .legacyRestriction(Restriction(scope: .project, duration: 10, unit: .days))),
                .init([Condition(.incorrectAnswersRate, .gt, 90)], .legacyRestriction(Restriction(scope: .pool, duration: nil, unit: .permanent))),
            ]),
            .init(Collector(.assignmentsAssessment), rules: [
                .init([Condition(.assessmentEvent, .eq, .string("REJECT"))], .changeOverlap(delta: 1, openPool: true)),
            ]),
            .init(Collector(.usersAssessment), rules: [
                .init([Condition(.poolAccessRevokedReason, .eq, .string("RESTRICTION"))], .changeOverlap(delta: 1, openPool: false)),
            ]),
        ], trainingRequirement: .init(trainingPoolID: "9", trainingPassingSkillValue: 70))
        let back = try QualityControl.decode(qc.encoded())
        #expect(back == qc)
        let text = String(decoding: qc.encoded(), as: UTF8.self)
        #expect(text.contains(#""duration_days":10"#))
        #expect(text.contains(#""type":"RESTRICTION""#))
    }

    static let badCases: [(String, String, QualityControlError.Code)] = [
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SET"},"rules":[{"conditions":[],"action":{"type":"APPROVE_ALL_ASSIGNMENTS"}},{"conditions":[{"key":"golden_set_answers_count","operator":"GE","value":3}],"action":{"type":"APPROVE_ALL_ASSIGNMENTS"}}]}]}"#,
         #"configs[0].rules[1].conditions[0].operator: expected one of EQ, NE, GT, GTE, LT, LTE, got "GE""#, .invalidValue),
        (#"{"quality_control":{"configs":[{"collector_config":{"type":"GOLDEN_SET"},"rules":[{"conditions":[{"key":"fast_submitted_count","operator":"GT","value":3}],"action":{"type":"APPROVE_ALL_ASSIGNMENTS"}}]}]}}"#,
         #"quality_control.configs[0].rules[0].conditions[0].key: expected one of total_answers_count, correct_answers_rate, incorrect_answers_rate, golden_set_answers_count, golden_set_correct_answers_rate, golden_set_incorrect_answers_rate, got "fast_submitted_count""#, .invalidValue),
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SETS"},"rules":[]}]}"#,
         #"configs[0].collector_config.type: expected one of GOLDEN_SET, MAJORITY_VOTE, ANSWER_COUNT, ASSIGNMENT_SUBMIT_TIME, CAPTCHA, SKIPPED_IN_ROW_ASSIGNMENTS, ACCEPTANCE_RATE, ASSIGNMENTS_ASSESSMENT, USERS_ASSESSMENT, INCOME, TRAINING, got "GOLDEN_SETS""#, .invalidValue),
        (#"{"configs":[{"collector_config":{"type":"MAJORITY_VOTE","parameters":{"history_size":10}},"rules":[]}]}"#,
         "configs[0].collector_config.parameters.answer_threshold: missing; this field is required", .missingField),
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SET","parameters":{"history_size":"10"}},"rules":[]}]}"#,
         "configs[0].collector_config.parameters.history_size: expected an integer", .wrongType),
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SET","parameters":{"history_size":0}},"rules":[]}]}"#,
         "configs[0].collector_config.parameters.history_size: expected an integer from 1 to 2147483647, got 0", .invalidValue),
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SET"},"rules":[{"conditions":[],"action":{"type":"RESTRICTION_V2","parameters":{"scope":"POOL","duration_unit":"DAYS"}}}]}]}"#,
         "configs[0].rules[0].action.parameters.duration: missing; this field is required", .missingField),
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SET"},"rules":[{"conditions":[],"action":{"type":"RESTRICTION_V2","parameters":{"scope":"WORLD","duration":1,"duration_unit":"DAYS"}}}]}]}"#,
         #"configs[0].rules[0].action.parameters.scope: expected one of POOL, PROJECT, ALL_PROJECTS, got "WORLD""#, .invalidValue),
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SET"},"rules":[{"conditions":[],"action":{"type":"CHANGE_OVERLAP","parameters":{"delta":1}}}]}]}"#,
         #"configs[0].rules[0].action.type: expected one of RESTRICTION_V2, RESTRICTION, SET_SKILL, SET_SKILL_FROM_OUTPUT_FIELD, APPROVE_ALL_ASSIGNMENTS, REJECT_ALL_ASSIGNMENTS, got "CHANGE_OVERLAP""#, .invalidValue),
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SET"},"rules":[{"conditions":[{"key":"total_answers_count","operator":"GT","value":"three"}],"action":{"type":"APPROVE_ALL_ASSIGNMENTS"}}]}]}"#,
         "configs[0].rules[0].conditions[0].value: expected a number for total_answers_count", .invalidValue),
        (#"{"configs":[{"collector_config":{"type":"GOLDEN_SET"}}]}"#,
         "configs[0].rules: missing; this field is required", .missingField),
        (#"{"configs":{"collector_config":{}}}"#, "configs: expected an array", .wrongType),
    ]

    @Test("bad JSON: the error names the JSON path and what was expected", arguments: badCases)
    func badJSON(_ json: String, _ message: String, _ code: QualityControlError.Code) {
        #expect(throws: QualityControlError(code, path: String(message.prefix { $0 != ":" }), String(message.drop { $0 != ":" }.dropFirst(2)))) {
            try QualityControl.decode(Data(json.utf8))
        }
        do {
            _ = try QualityControl.decode(Data(json.utf8))
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("not JSON, and JSON that is neither a pool nor a quality_control")
    func notJSON() {
        #expect {
            try QualityControl.decode(Data("{\"configs\": [".utf8))
        } throws: { ($0 as? QualityControlError)?.code == .invalidJSON }
        #expect {
            try QualityControl.decode(Data("{\"project_id\": \"1\"}".utf8))
        } throws: { ($0 as? QualityControlError)?.message.contains("quality_control") == true }
    }

    @Test("the engine refuses collectors it does not emulate, or skips them when asked")
    func unsupported() throws {
        let qc = QualityControl(configs: [
            .init(.goldenSet(historySize: 10), rules: []),
            .init(Collector(.income), rules: [.init([Condition(.incomeSumForLast24Hours, .gt, 20)], ban())]),
        ])
        #expect(throws: QualityControlError(.unsupported, path: "configs[1].collector_config.type",
            "INCOME is not emulated; the engine runs GOLDEN_SET, MAJORITY_VOTE, ANSWER_COUNT, ASSIGNMENT_SUBMIT_TIME, SKIPPED_IN_ROW_ASSIGNMENTS, ACCEPTANCE_RATE (pass ignoringUnsupported to skip it)")) {
            try QualityControlEngine(qc)
        }
        _ = try QualityControlEngine(qc, ignoringUnsupported: true)
    }

    @Test("at most 64 rules")
    func ruleLimit() throws {
        let rule = QualityControl.Rule([Condition(.goldenSetAnswersCount, .gte, 1)], .approveAllAssignments)
        _ = try QualityControlEngine(QualityControl(configs: [.init(.goldenSet(), rules: Array(repeating: rule, count: 64))]))
        #expect(throws: QualityControlError(.unsupported, path: "configs", "65 rules; the engine runs at most 64")) {
            try QualityControlEngine(QualityControl(configs: [.init(.goldenSet(), rules: Array(repeating: rule, count: 65))]))
        }
    }

    @Test("rules built in code are checked like JSON ones")
    func codeBuiltRules() {
        let qc = single(.goldenSet(), [Condition(.fastSubmittedCount, .gte, 1)])
        #expect(throws: QualityControlError.self) { try QualityControlEngine(qc) }
        let noThreshold = single(Collector(.majorityVote), [Condition(.totalAnswersCount, .gte, 1)])
        #expect(throws: QualityControlError(.missingField, path: "configs[0].collector_config.parameters.answer_threshold", "missing; this field is required")) {
            try QualityControlEngine(noThreshold)
        }
    }
}
