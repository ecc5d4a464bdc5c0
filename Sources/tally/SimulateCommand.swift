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

            Writes to --out-dir: answers.tsv (crowd-kit task/worker/label, the accepted answers), \
            export.tsv (Toloka's TSV export of every assignment), gold.tsv, tasks.tsv, workers.tsv \
            (true parameters), qc_log.tsv (every rule action), pool.json (the rules, for \
            `tally qc replay`) and summary.json (cost split, completion time, false-ban and spam-leak \
            rates, and the accuracy of each --methods method on the accepted answers; methods that \
            need gold learn from the golden tasks' answers).

            A scenario with a "question" object asks pairwise, numeric or text questions instead \
            (see datasets/scenarios/questions and QuestionScenario): Thurstone or Bradley-Terry \
            noise around true item scores, Gaussian errors with a per-worker bias around true \
            values, or word substitutions, deletions and insertions around true sentences. It \
            writes answers.tsv and gold.tsv in the kind's layout, workers.tsv, dataset.json (so \
            the folder is a `tally bench` data set) and summary.json with each --methods method's \
            metric (default: every method that takes the kind).

            Example:
              tally simulate datasets/scenarios/audio-gender.json --seed 1 --out-dir run1 --methods mv,ds
              tally qc replay run1/export.tsv --rules run1/pool.json
            """
    )

    @Argument(help: "The scenario file (JSON).")
    var scenario: String

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    @OptionGroup var output: OutputFolderOptions
    @OptionGroup(title: "Scoring") var scoring: MethodListOptions
    @OptionGroup(title: "Scoring") var tuning: MethodTuningOptions
    @OptionGroup var common: CommonOptions

    var quiet: Bool { common.quiet }

    func run() throws {
        try reportingErrors {
            let out = output.folder(quiet: quiet)
            if QuestionScenario.isQuestionScenario(path: scenario) { return try runQuestions(out: out) }
            let methods = try scoring.chosen(default: "mv,ds", quiet: quiet)
            for m in methods where !m.accepts(.categorical) {
                throw ValidationError("\(m.name) takes \(m.answerTypes.map(\.rawValue).joined(separator: " or ")) answers; this scenario asks categorical questions (a scenario with a \"question\" object asks pairwise, numeric or text ones)")
            }
            let start = ContinuousClock.now
            let s = try Scenario.read(path: scenario)
            for w in s.warnings { note("tally: warning: \(scenario): \(w)", quiet: quiet) }
            let progress = ProgressLine("simulate", quiet: quiet)
            progress.message("simulating \(s.name) with seed \(seed)…")
            let result = try PoolSimulator.run(s, seed: seed)
            progress.finish()
            var summary = result.summary()
            summary.aggregators = try result.accuracies(methods, parameters: tuning.parameters)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            // summary.json also records the command line (for `tally report`).
            let recorded = RecordedSummary(summary: summary, commands: BenchRun.commands())
            try AtomicFile.write(result.files(summaryJSON: recorded.json()).map { ($0.bytes, out + "/" + $0.name) })
            let accuracy = (summary.aggregators ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: ", ")
            note("\(result.assignmentCount) assignments, \(result.workerCount) workers, \(summary.workers.banned) banned; pool \(summary.pool.closeReason) after \(String(format: "%.1f", (summary.pool.closedAfterSeconds ?? .nan) / 3600)) h; cost $\(String(format: "%.2f", summary.cost.total)); accuracy \(accuracy) (\(seconds(since: start))); files in \(out)", quiet: quiet)
        }
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
