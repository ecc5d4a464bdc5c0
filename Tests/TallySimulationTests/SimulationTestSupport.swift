import Foundation
import TallyQualityControl
@testable import TallySimulation
import TallyTestSupport

enum Scenarios {
    static let root = Repository.root

    static func load(_ name: String) throws -> Scenario {
        try Scenario.read(path: root.appendingPathComponent("datasets/scenarios/\(name).json").path)
    }

    /// A small pool with one worker type and the given rules.
    static func simple(tasks: Int = 200, overlap: Int = 3, real: Int = 4, golden: Int = 1, goldenCount: Int = 20,
                       types: [WorkerType] = [WorkerType(share: 1, .oneCoin(accuracy: .fixed(0.8)))],
                       rules: QualityControl = QualityControl(configs: []), arrivals: Double = 60) -> Scenario {
        var crowd = CrowdSettings(arrivalsPerHour: arrivals, types: types)
        crowd.activity = .geometric(mean: 10, maximum: 100)
        return Scenario(name: "test", labels: ["a", "b"], tasks: TaskSettings(count: tasks, goldenCount: goldenCount), crowd: crowd,
                        pool: PoolSettings(rewardPerAssignment: 0.01, assignmentMaxDurationSeconds: 600, overlap: overlap,
                                           mixer: .init(real: real, golden: golden), qualityControl: rules))
    }
}

extension SimulationResult {
    /// The restriction actions as comparable (time, worker name, rule path) triples, sorted.
    func bans() -> [String] {
        actions.filter { $0.restrictionEnd != nil }.map { "\($0.time) \(workerName($0.worker)) \($0.rulePath)" }.sorted()
    }
}
