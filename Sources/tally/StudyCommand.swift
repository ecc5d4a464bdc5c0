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
            --seed … --seed + --seeds − 1) and writes study.tsv and study.json (one row \
            per point: the parameters, then the mean and standard deviation over seeds of each \
            --methods method's accuracy, the cost, the cost per completed task, the hours to \
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
                --vary golden_per_suite=0..2 --seeds 5 --out-dir study
            """
    )

    @Argument(help: "The scenario file (JSON).")
    var scenario: String

    @Option(name: .long, help: "NAME=VALUES to vary (repeatable); see the discussion for names.")
    var vary: [String] = []

    @Option(help: "Runs per point.")
    var seeds: Int = 3

    @Option(help: "The first seed.")
    var seed: UInt64?

    @Option(name: .customLong("first-seed"), help: .hidden)
    var firstSeedOld: UInt64?

    @OptionGroup(title: "Scoring") var scoring: MethodListOptions
    @OptionGroup(title: "Scoring") var tuning: MethodTuningOptions

    @Option(help: "Runs at once (default: the number of cores).")
    var jobs: Int?

    @OptionGroup var output: OutputFolderOptions
    @OptionGroup var common: CommonOptions

    var quiet: Bool { common.quiet }

    mutating func validate() throws {
        if seed != nil && firstSeedOld != nil { throw ValidationError("--first-seed is the old spelling of --seed; give one") }
    }

    func run() throws {
        try reportingErrors {
            if firstSeedOld != nil { deprecated("--first-seed", use: "--seed", quiet: quiet) }
            let out = output.folder(quiet: quiet)
            guard seeds >= 1 else { throw ScenarioError(.invalidValue, path: "--seeds", "expected at least 1, got \(seeds)") }
            let methods = try scoring.chosen(default: "mv,ds", quiet: quiet)
            let base = try Scenario.read(path: scenario)
            var parameters: [(StudyParameter, [Double])] = []
            for v in vary { parameters.append(try StudyParameter.parse(v)) }
            let study = try Study(base: base, scenarioPath: scenario, vary: parameters, seeds: seeds, firstSeed: seed ?? firstSeedOld ?? 1, methods: methods,
                              parameters: tuning.parameters)
            let progress = ProgressLine("study", quiet: quiet)
            let start = ContinuousClock.now
            let summaries = try study.run(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount) { done, runs in
                progress.message("study: \(done)/\(runs) runs")
            }
            progress.finish()
            let (tsv, json, runsTSV) = study.tables(summaries, commands: BenchRun.commands())
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try AtomicFile.write([(tsv, out + "/study.tsv"), (json, out + "/study.json"), (runsTSV, out + "/runs.tsv")])
            note("\(study.grid.count) points × \(seeds) seeds = \(study.runCount) runs in \(seconds(since: start)); table in \(out)/study.tsv", quiet: quiet)
        }
    }
}
