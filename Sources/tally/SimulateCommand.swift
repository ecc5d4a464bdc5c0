import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore
import TallyQualityControl
import TallyReports
import TallySimulation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a Toloka pool: a crowd, its answers and the pool's quality-control rules.",
        discussion: """
            SCENARIO is a JSON file describing the labels, tasks, the crowd (worker types, arrivals, \
            activity, response times) and the pool in Toloka's own JSON shape (mixer_config, \
            defaults, quality_control, reward_per_assignment, …); see datasets/scenarios. The same \
            seed gives the same bytes in every output file.

            Writes to --out: answers.tsv (crowd-kit task/worker/label, the accepted answers), \
            export.tsv (Toloka's TSV export of every assignment), gold.tsv, tasks.tsv, workers.tsv \
            (true parameters), qc_log.tsv (every rule action), pool.json (the rules, for \
            `tally qc replay`) and summary.json (cost split, completion time, false-ban and spam-leak \
            rates, and the accuracy of each --aggregate method on the accepted answers).

            Example:
              tally simulate datasets/scenarios/audio-gender.json --seed 1 --out run1 --aggregate mv,ds
              tally qc replay run1/export.tsv --rules run1/pool.json
            """
    )

    @Argument(help: "The scenario file (JSON).")
    var scenario: String

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    @Option(help: "The folder for the output files.")
    var out: String

    @Option(help: "Comma-separated aggregation methods scored in summary.json (mv, wawa, zbs, ds, onecoin-ds, glad, kos).")
    var aggregate: String = "mv,ds"

    @Flag(name: .shortAndLong, help: "Print nothing on stderr but errors.")
    var quiet = false

    func run() throws {
        try reportingSimulationErrors {
            let methods = try SimulationAggregation.methods(aggregate)
            let start = ContinuousClock.now
            let s = try Scenario.read(path: scenario)
            for w in s.warnings { note("tally: warning: \(scenario): \(w)", quiet: quiet) }
            let progress = ProgressLine("simulate", quiet: quiet)
            progress.message("simulating \(s.name) with seed \(seed)…")
            let result = try PoolSimulator.run(s, seed: seed)
            progress.finish()
            var summary = result.summary()
            summary.aggregators = try SimulationAggregation.accuracies(result, methods: methods)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            // summary.json also records the command line (for `tally report`).
            let recorded = RecordedSummary(summary: summary, commands: BenchRun.commands())
            try AtomicFile.write(result.files(summaryJSON: recorded.json()).map { ($0.bytes, out + "/" + $0.name) })
            let accuracy = (summary.aggregators ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: ", ")
            note("\(result.assignmentCount) assignments, \(result.workerCount) workers, \(summary.workers.banned) banned; pool \(summary.pool.closeReason) after \(String(format: "%.1f", (summary.pool.closedAfterSeconds ?? .nan) / 3600)) h; cost $\(String(format: "%.2f", summary.cost.total)); accuracy \(accuracy) (\(seconds(since: start))); files in \(out)", quiet: quiet)
        }
    }
}

/// Reports scenario and rule errors like other input errors (message naming the file and JSON path, exit 65).
func reportingSimulationErrors<T>(_ body: () throws -> T) throws -> T {
    try reportingErrors {
        do {
            return try body()
        } catch let e as ScenarioError {
            printError(e.description)
            throw ExitCode(e.code == .unreadable ? 66 : dataErrorExit)
        } catch let e as QualityControlError {
            printError(e.description)
            throw ExitCode(dataErrorExit)
        }
    }
}

/// Scores aggregation methods on a simulation's accepted answers (TallySimulation knows no aggregators).
enum SimulationAggregation {
    static let names = ["mv", "wawa", "zbs", "ds", "onecoin-ds", "glad", "kos"]

    static func methods(_ list: String) throws -> [String] {
        let chosen = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for m in chosen where !names.contains(m) {
            throw AggregationError("--aggregate: unknown method '\(m)'; expected some of \(names.joined(separator: ", "))")
        }
        return chosen
    }

    /// The labels `method` gives on `table`.
    static func labels(_ method: String, _ table: AnswerTable) throws -> [Int32] {
        switch method {
        case "mv": return try MajorityVote().fit(table).labels
        case "wawa": return try Wawa().fit(table).labels
        case "zbs": return try ZeroBasedSkill().fit(table).labels
        case "ds": return try DawidSkene().fit(table).labels
        case "onecoin-ds": return try OneCoinDawidSkene().fit(table).labels
        case "glad": return try GLAD().fit(table).labels
        default: return try KOS().fit(table).labels
        }
    }

    /// Accuracy of each method on answers (task, worker, label names) against `gold`.
    static func accuracies(tasks: [String], workers: [String], labels: [String], gold: GoldLabels, methods: [String]) throws -> [String: Double] {
        guard !tasks.isEmpty, !methods.isEmpty else { return [:] }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        var out: [String: Double] = [:]
        for m in methods {
            if m == "kos", table.labelCount != 2 { continue }
            let e = Evaluation(labels: try Self.labels(m, table), of: table, gold: gold)
            if e.scored > 0 { out[m] = e.accuracy }
        }
        return out
    }

    static func accuracies(_ result: SimulationResult, methods: [String]) throws -> [String: Double] {
        let (t, w, l) = result.acceptedAnswers()
        let gold = GoldLabels(Dictionary(uniqueKeysWithValues: result.taskLabels.indices.map { (result.taskName(Int32($0)), result.scenario.labels[Int(result.taskLabels[$0])]) }))
        return try accuracies(tasks: t.map { result.taskName($0) }, workers: w.map { result.workerName($0) }, labels: l.map { result.scenario.labels[Int($0)] }, gold: gold, methods: methods)
    }
}

/// summary.json with the command lines that made it (`cd …`, `tally simulate …`) as `commands`.
struct RecordedSummary: Encodable {
    let summary: SimulationSummary
    let commands: [String]

    enum Keys: String, CodingKey { case commands }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(commands, forKey: .commands)
    }

    func json() -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? e.encode(self) else { return summary.json() }
        return Array(data + Data("\n".utf8))
    }
}
