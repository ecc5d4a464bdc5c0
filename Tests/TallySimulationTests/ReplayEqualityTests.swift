import Foundation
import Testing
import TallyQualityControl
@testable import TallySimulation
import TallyTestSupport

/// Replaying a simulated pool's export with the pool's own rules reproduces the simulator's bans.
@Suite struct ReplayEqualityTests {
    func replayBans(_ r: SimulationResult) throws -> [String] {
        let dir = try makeTempDirectory("tally-replay")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("export.tsv").path
        try Data(r.exportTSV()).write(to: URL(fileURLWithPath: path))
        let events = try TolokaExportEvents.read(path: path)
        let rules = try QualityControl.decode(r.scenario.poolJSON())
        let actions = try events.replay(rules, ignoringUnsupported: true)
        return actions.filter { $0.restrictionEnd != nil }.map { "\($0.time) \(events.workers.name($0.worker)) \($0.rulePath)" }.sorted()
    }

    @Test(arguments: ["audio-gender", "fast-responses", "dynamic-overlap"], [1, 2, 3, 4, 5] as [UInt64])
    func replayReproducesBans(_ name: String, _ seed: UInt64) throws {
        let r = try PoolSimulator.run(try Scenarios.load(name), seed: seed)
        let bans = r.bans()
        #expect(!bans.isEmpty)
        #expect(try replayBans(r) == bans)
    }

    @Test func fastSubmitRuleFires() throws {
        let r = try PoolSimulator.run(try Scenarios.load("fast-responses"), seed: 1)
        #expect(r.actions.contains { $0.rulePath == "configs[0].rules[0]" })
        #expect(try replayBans(r) == r.bans())
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func majorityVoteRulesReplayWithoutRecompletion(_ seed: UInt64) throws {
        var s = try Scenarios.load("mixed-crowd")
        s.pool.qualityControl.configs.removeAll { $0.collector.kind == .usersAssessment }
        let r = try PoolSimulator.run(s, seed: seed)
        #expect(r.actions.contains { $0.action.kind == .rejectAllAssignments })
        #expect(try replayBans(r) == r.bans())
    }
}
