import Foundation
import TallyAggregation
import TallyCore

/// A parameter sweep over seeds: one simulation per grid point and seed, each scored with the chosen methods.
public struct Study: Sendable {
    /// The base scenario, and its path for messages.
    public let base: Scenario
    /// The base scenario's file, named in errors and recorded in study.json (nil when built in code).
    public let scenarioPath: String?
    /// The scenario parameters varied and their values.
    public let vary: [(StudyParameter, [Double])]
    /// Runs per point, with seeds `firstSeed … firstSeed + seeds − 1`.
    public let seeds: Int
    /// The first run's seed.
    public let firstSeed: UInt64
    /// The methods scored on every run's accepted answers.
    public let methods: [MethodDescriptor]
    /// Parameter values for the methods (each takes those it has).
    public let parameters: MethodParameters
    /// Every combination of the parameters' values.
    public let grid: [[Double]]
    /// The scenario of every grid point, validated.
    public let scenarios: [Scenario]

    /// Builds every point's scenario first, so that a bad value fails before any run.
    ///
    /// - Throws: ``ScenarioError`` for fewer than one seed, or a point whose scenario is invalid (naming the point).
    public init(base: Scenario, scenarioPath: String? = nil, vary: [(StudyParameter, [Double])], seeds: Int, firstSeed: UInt64, methods: [MethodDescriptor],
                parameters: MethodParameters = MethodParameters()) throws {
        guard seeds >= 1 else { throw ScenarioError(.invalidValue, path: "--seeds", "expected at least 1, got \(seeds)") }
        self.base = base
        self.scenarioPath = scenarioPath
        self.vary = vary
        self.parameters = parameters
        self.seeds = seeds
        self.firstSeed = firstSeed
        self.methods = methods
        let grid = studyGrid(vary)
        self.grid = grid
        scenarios = try grid.map { point in
            var s = base
            for (i, (p, _)) in vary.enumerated() { try p.apply(point[i], to: &s) }
            do {
                try s.validate()
            } catch let error as ScenarioError {
                let at = zip(vary, point).map { "\($0.0.0.rawValue)=\(scenarioNumber($0.1))" }.joined(separator: " ")
                throw ScenarioError(error.code, path: error.path, "\(error.message) (at \(at))", file: scenarioPath)
            }
            return s
        }
    }

    /// The number of simulations.
    public var runCount: Int { scenarios.count * seeds }

    /// Runs every simulation, `jobs` at once; `progress` gets (done, total) after each. Summaries are point-major.
    public func run(jobs: Int, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> [SimulationSummary] {
        let runs = runCount, seeds = self.seeds, firstSeed = self.firstSeed, scenarios = self.scenarios, methods = self.methods, parameters = self.parameters
        let results = StudyRunResults(count: runs)
        let next = StudyRunResults.Counter()
        DispatchQueue.concurrentPerform(iterations: min(max(1, jobs), runs)) { _ in
            while let i = next.take(below: runs) {
                let s = scenarios[i / seeds], seed = firstSeed + UInt64(i % seeds)
                do {
                    let r = try PoolSimulator.run(s, seed: seed)
                    var summary = r.summary()
                    summary.aggregators = try r.accuracies(methods, parameters: parameters)
                    results.set(i, .success(summary))
                } catch {
                    results.set(i, .failure(error))
                }
                progress(results.done, runs)
            }
        }
        var summaries: [SimulationSummary] = []
        for r in results.all() { summaries.append(try r!.get()) }
        return summaries
    }

    /// study.tsv, study.json and runs.tsv for `summaries` (from ``run(jobs:progress:)``).
    public func tables(_ summaries: [SimulationSummary], commands: [String] = []) -> (study: [UInt8], json: [UInt8], runs: [UInt8]) {
        StudyTable.render(names: vary.map(\.0.rawValue), grid: grid, seeds: seeds, firstSeed: firstSeed, methods: methods.map(\.name),
                          summaries: summaries, scenario: scenarioPath, commands: commands)
    }
}

/// Results of parallel runs, each in its own slot.
final class StudyRunResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<SimulationSummary, any Error>?]
    private var count = 0
    var done: Int { lock.lock(); defer { lock.unlock() }; return count }

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<SimulationSummary, any Error>) {
        lock.lock(); slots[i] = r; count += 1; lock.unlock()
    }

    func all() -> [Result<SimulationSummary, any Error>?] { lock.lock(); defer { lock.unlock() }; return slots }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        func take(below n: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < n else { return nil }
            next += 1
            return next - 1
        }
    }
}

/// The study's tables: study.tsv, study.json and runs.tsv (users call ``Study/tables(_:commands:)``).
enum StudyTable {
    /// Renders the tables of `summaries` (point-major, `seeds` runs per point).
    static func render(names: [String], grid: [[Double]], seeds: Int, firstSeed: UInt64, methods: [String], summaries: [SimulationSummary],
                       scenario: String? = nil, commands: [String] = []) -> ([UInt8], [UInt8], [UInt8]) {
        func metrics(_ s: SimulationSummary) -> [(String, Double?)] {
            methods.map { ("accuracy_\($0)", s.aggregators?[$0]) } + [
                ("cost", s.cost.total), ("cost_per_task", s.cost.perCompletedTask), ("cost_wasted", s.cost.wasted),
                ("hours", s.pool.closedAfterSeconds.map { $0 / 3600 }), ("tasks_completed", Double(s.pool.tasksCompleted)),
                ("false_ban_rate", s.workers.falseBanRate), ("spam_leak_rate", s.spam.leakRate), ("banned", Double(s.workers.banned)),
            ]
        }
        let metricNames = methods.map { "accuracy_\($0)" } + ["cost", "cost_per_task", "cost_wasted", "hours", "tasks_completed", "false_ban_rate", "spam_leak_rate", "banned"]
        var tsv = (names + ["seeds"] + metricNames.flatMap { ["\($0)_mean", "\($0)_sd"] }).joined(separator: "\t") + "\n"
        var rows: [[String: Any]] = []
        for (p, point) in grid.enumerated() {
            let runs = summaries[(p * seeds)..<((p + 1) * seeds)].map(metrics)
            var cells = point.map(scenarioNumber) + [String(seeds)]
            var row: [String: Any] = ["seeds": seeds]
            for (i, n) in names.enumerated() { row[n] = point[i] }
            for (m, name) in metricNames.enumerated() {
                let values = runs.compactMap { $0[m].1 }.filter { $0.isFinite }
                let mean = values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
                let sd = values.count < 2 ? nil : (values.map { ($0 - mean!) * ($0 - mean!) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
                cells.append(mean.map { String(format: "%.6g", $0) } ?? "")
                cells.append(sd.map { String(format: "%.6g", $0) } ?? "")
                row[name + "_mean"] = mean ?? NSNull()
                row[name + "_sd"] = sd ?? NSNull()
            }
            tsv += cells.joined(separator: "\t") + "\n"
            rows.append(row)
        }
        var runsTSV = (names + ["seed"] + metricNames).joined(separator: "\t") + "\n"
        for (i, s) in summaries.enumerated() {
            let point = grid[i / seeds]
            runsTSV += (point.map(scenarioNumber) + [String(firstSeed + UInt64(i % seeds))] + metrics(s).map { $0.1.map { String(format: "%.6g", $0) } ?? "" }).joined(separator: "\t") + "\n"
        }
        let json = (try? JSONSerialization.data(withJSONObject: ["parameters": names, "points": rows, "methods": methods, "seeds": seeds, "first_seed": Int(firstSeed),
                                                                    "scenario": scenario ?? NSNull(), "commands": commands] as [String: Any], options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return (Array(tsv.utf8), Array(json) + [0x0A], Array(runsTSV.utf8))
    }
}
