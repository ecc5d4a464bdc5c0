import ArgumentParser
import Foundation
import TallyCore
import TallyReports
import TallySimulation

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Sweep scenario parameters over seeds: accuracy and cost per point.",
        discussion: """
            Runs SCENARIO once per combination of the --vary values and per seed (seeds \
            --first-seed … --first-seed + --seeds − 1) and writes study.tsv and study.json (one row \
            per point: the parameters, then the mean and standard deviation over seeds of each \
            --aggregate method's accuracy, the cost, the cost per completed task, the hours to \
            completion, the false-ban rate, the spam leak rate and the number of banned workers) and \
            runs.tsv (one row per run).

            --vary NAME=VALUES, VALUES being a..b (integers a to b), a..b:step, or x,y,z. NAME is one of:
              overlap             defaults.default_overlap_for_new_tasks
              real_per_suite      mixer_config.real_tasks_count
              golden_per_suite    mixer_config.golden_tasks_count
              training_per_suite  mixer_config.training_tasks_count
              reward              reward_per_assignment (USD)
              history_size        history_size of GOLDEN_SET, MAJORITY_VOTE, ASSIGNMENT_SUBMIT_TIME
              golden_threshold    value of GOLDEN_SET conditions on *_rate keys (percent)
              fast_threshold      fast_submit_threshold_seconds
              golden_tasks        tasks.golden_count
              tasks               tasks.count
              arrivals_per_hour   crowd.arrivals_per_hour
              max_overlap         dynamic_overlap_config.max_overlap (adds dynamic overlap)
              min_confidence      dynamic_overlap_config.min_confidence
              spammer_share       total share of spam worker types

            Example:
              tally study datasets/scenarios/audio-gender.json --vary overlap=1..5 \\
                --vary golden_per_suite=0..2 --seeds 5 --out study
            """
    )

    @Argument(help: "The scenario file (JSON).")
    var scenario: String

    @Option(name: .long, help: "NAME=VALUES to vary (repeatable); see the discussion for names.")
    var vary: [String] = []

    @Option(help: "Runs per point.")
    var seeds: Int = 3

    @Option(help: "The first seed.")
    var firstSeed: UInt64 = 1

    @Option(help: "Comma-separated aggregation methods to score.")
    var aggregate: String = "mv,ds"

    @Option(help: "Runs at once (default: the number of cores).")
    var jobs: Int?

    @Option(help: "The folder for study.tsv, study.json and runs.tsv.")
    var out: String

    @Flag(name: .shortAndLong, help: "Print nothing on stderr but errors.")
    var quiet = false

    func run() throws {
        try reportingSimulationErrors {
            guard seeds >= 1 else { throw ScenarioError(.invalidValue, path: "--seeds", "expected at least 1, got \(seeds)") }
            let methods = try SimulationAggregation.methods(aggregate)
            let base = try Scenario.read(path: scenario)
            var parameters: [(StudyParameter, [Double])] = []
            for v in vary { parameters.append(try StudyParameter.parse(v)) }
            let grid = studyGrid(parameters)
            // Build every point's scenario first, so that a bad value fails before any run.
            // (A `let`: the parallel runs below share it.)
            let scenarios = try grid.map { point in
                var s = base
                for (i, (p, _)) in parameters.enumerated() { try p.apply(point[i], to: &s) }
                do {
                    try s.validate()
                } catch let error as ScenarioError {
                    let at = zip(parameters, point).map { "\($0.0.0.rawValue)=\(scenarioNumber($0.1))" }.joined(separator: " ")
                    throw ScenarioError(error.code, path: error.path, "\(error.message) (at \(at))", file: scenario)
                }
                return s
            }
            let runs = scenarios.count * seeds
            let results = RunResults(count: runs)
            let progress = ProgressLine("study", quiet: quiet)
            let start = ContinuousClock.now
            let workers = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            let next = RunResults.Counter()
            DispatchQueue.concurrentPerform(iterations: min(workers, runs)) { _ in
                while let i = next.take(below: runs) {
                    let s = scenarios[i / seeds], seed = firstSeed + UInt64(i % seeds)
                    do {
                        let r = try PoolSimulator.run(s, seed: seed)
                        var summary = r.summary()
                        summary.aggregators = try SimulationAggregation.accuracies(r, methods: methods)
                        results.set(i, .success(summary))
                    } catch {
                        results.set(i, .failure(error))
                    }
                    progress.message("study: \(results.done)/\(runs) runs")
                }
            }
            progress.finish()
            var summaries: [SimulationSummary] = []
            for r in results.all() { summaries.append(try r!.get()) }
            let names = parameters.map(\.0.rawValue)
            let (tsv, json, runsTSV) = StudyTable.render(names: names, grid: grid, seeds: seeds, firstSeed: firstSeed, methods: methods, summaries: summaries,
                                                          scenario: scenario, commands: BenchRun.commands())
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try AtomicFile.write([(tsv, out + "/study.tsv"), (json, out + "/study.json"), (runsTSV, out + "/runs.tsv")])
            note("\(grid.count) points × \(seeds) seeds = \(runs) runs in \(seconds(since: start)); table in \(out)/study.tsv", quiet: quiet)
        }
    }
}

/// Results of parallel runs, each in its own slot.
final class RunResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<SimulationSummary, any Error>?]
    private(set) var done = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<SimulationSummary, any Error>) {
        lock.lock(); slots[i] = r; done += 1; lock.unlock()
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

/// The study's tables.
enum StudyTable {
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
