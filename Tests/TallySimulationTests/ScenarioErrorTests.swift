import Foundation
import Testing
@testable import TallySimulation

@Suite struct ScenarioErrorTests {
    func base() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: Scenarios.root.appendingPathComponent("datasets/scenarios/audio-gender.json"))) as! [String: Any]
    }

    func error(_ edit: (inout [String: Any]) -> Void) throws -> ScenarioError {
        var o = try base()
        edit(&o)
        let data = try JSONSerialization.data(withJSONObject: o)
        do {
            _ = try Scenario.decode(data)
        } catch {
            return error
        }
        Issue.record("no error")
        return ScenarioError(.invalidJSON, path: "", "")
    }

    @Test func descriptionIsFilePathMessage() {
        #expect(ScenarioError(.invalidValue, path: "crowd.types[2].accuracy", "expected a number from 0 to 1, got 1.5", file: "s.json").description
                == "s.json: crowd.types[2].accuracy: expected a number from 0 to 1, got 1.5")
        #expect(ScenarioError(.unreadable, path: "", "cannot read the file", file: "s.json").description == "s.json: cannot read the file")
        #expect(ScenarioError(.invalidValue, path: "--seeds", "expected at least 1, got 0").description == "--seeds: expected at least 1, got 0")
        #expect(ScenarioError(.invalidJSON, path: "", "not valid JSON").description == "not valid JSON")
    }

    @Test func shippedScenariosLoad() throws {
        for name in ["audio-gender", "fast-responses", "mixed-crowd", "dynamic-overlap", "benchmark"] {
            let s = try Scenarios.load(name)
            #expect(s.warnings.isEmpty, "\(name): \(s.warnings)")
        }
        let s = try Scenarios.load("audio-gender")
        #expect(s.pool.overlap == 3 && s.pool.mixer.realTasksCount == 4 && s.pool.mixer.goldenTasksCount == 1 && s.pool.rewardPerAssignment == 0.01)
        #expect(s.pool.qualityControl.configs[0].collector.historySize == 10)
    }

    @Test func wrongTypeNamesPath() throws {
        let e = try error { o in
            var crowd = o["crowd"] as! [String: Any]
            var types = crowd["types"] as! [[String: Any]]
            types[1]["accuracy"] = "high"
            crowd["types"] = types
            o["crowd"] = crowd
        }
        #expect(e.path == "crowd.types[1].accuracy")
        #expect(e.description.contains("expected"))
    }

    @Test func outOfRangeNamesPath() throws {
        let e = try error { o in
            var pool = o["pool"] as! [String: Any]
            var mixer = pool["mixer_config"] as! [String: Any]
            mixer["golden_tasks_count"] = -1
            pool["mixer_config"] = mixer
            o["pool"] = pool
        }
        #expect(e.path == "pool.mixer_config.golden_tasks_count")
        #expect(e.message.contains("expected an integer from 0 to 500"))
    }

    @Test func unknownKeyIsAnErrorOutsidePoolAndAWarningInside() throws {
        let e = try error { o in
            var tasks = o["tasks"] as! [String: Any]
            tasks["golden_cuont"] = 3
            o["tasks"] = tasks
        }
        #expect(e.code == .unknownKey && e.path == "tasks.golden_cuont")
        var o = try base()
        var pool = o["pool"] as! [String: Any]
        pool["something_new"] = 1
        o["pool"] = pool
        let s = try Scenario.decode(try JSONSerialization.data(withJSONObject: o))
        #expect(s.warnings == ["pool.something_new: ignored (not simulated)"])
    }

    @Test func missingFieldAndBadRules() throws {
        let m = try error { o in o.removeValue(forKey: "labels") }
        #expect(m.code == .missingField && m.path == "labels")
        let r = try error { o in
            var pool = o["pool"] as! [String: Any]
            var qc = pool["quality_control"] as! [String: Any]
            var configs = qc["configs"] as! [[String: Any]]
            var rules = configs[0]["rules"] as! [[String: Any]]
            var conditions = rules[0]["conditions"] as! [[String: Any]]
            conditions[0]["operator"] = "GE"
            rules[0]["conditions"] = conditions
            configs[0]["rules"] = rules
            qc["configs"] = configs
            pool["quality_control"] = qc
            o["pool"] = pool
        }
        #expect(r.path == "pool.quality_control.configs[0].rules[0].conditions[0].operator")
        let g = try error { o in
            var tasks = o["tasks"] as! [String: Any]
            tasks["golden_count"] = 0
            o["tasks"] = tasks
        }
        #expect(g.path == "tasks.golden_count")
        #expect(throws: ScenarioError.self) { try Scenario.decode(Data("{".utf8)) }
    }

    @Test func studyParameters() throws {
        let (p, v) = try StudyParameter.parse("overlap=1..5")
        #expect(p == .overlap && v == [1, 2, 3, 4, 5])
        #expect(try StudyParameter.parse("reward=0.01,0.02").1 == [0.01, 0.02])
        #expect(throws: ScenarioError.self) { try StudyParameter.parse("overlapp=1..2") }
        var s = try Scenarios.load("audio-gender")
        try StudyParameter.historySize.apply(5, to: &s)
        #expect(s.pool.qualityControl.configs[0].collector.historySize == 5)
        #expect(studyGrid([(.overlap, [1, 2]), (.goldenPerSuite, [0, 1, 2])]).count == 6)
    }
}
