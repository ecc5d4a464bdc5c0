import ArgumentParser
import Foundation
import TallyCore
import TallySimulation

/// `tally synth`: a large synthetic crowd drawn straight into an Arrow file (``SyntheticCrowd``).
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Draw a large synthetic crowd (one-coin or confusion-matrix workers) straight into an Arrow file, with its truth.",
        discussion: """
            Unlike `tally simulate` (a Toloka pool, event by event), synth draws answers directly from a \
            Dawid-Skene-style model, fast enough for 10^8-10^9 answers: each task gets a true class from \
            --prior and --overlap distinct workers drawn uniformly; a worker answers from one accuracy \
            (--crowd one-coin: right with that probability, else another class uniformly) or from a confusion \
            matrix (--crowd confusion: each row's diagonal drawn from --accuracy, the rest split at random); \
            --spammers of them answer uniformly at random.

            Writes to --out-dir: answers.arrow (task t0…, worker w0…, label c0…, dictionary-encoded, grouped by \
            task), gold.tsv (every task's true class) and workers.tsv (true accuracy, spammer flag and, for \
            confusion crowds, the matrix). The same seed gives the same bytes whatever --threads says.

            Example:
              tally synth --answers 100000000 --workers 100000 --overlap 10 --seed 1 --out-dir big
              tally aggregate big/answers.arrow --method ds --out big/labels.tsv
              tally evaluate big/labels.tsv --gold big/gold.tsv
            """
    )

    @Option(help: ArgumentHelp("Answers to draw (rounded up to a multiple of --overlap); or give --tasks.", valueName: "N"))
    var answers: Int?

    @Option(help: ArgumentHelp("Tasks (answers = tasks × overlap).", valueName: "N"))
    var tasks: Int?

    @Option(help: ArgumentHelp("Workers.", valueName: "N"))
    var workers = 10_000

    @Option(help: ArgumentHelp("Distinct workers per task.", valueName: "N"))
    var overlap = 10

    @Option(help: ArgumentHelp("Classes, K (named c0 … c{K-1}).", valueName: "K"))
    var classes = 2

    @Option(help: "one-coin (one accuracy per worker) or confusion (a matrix per worker).")
    var crowd: SyntheticCrowd.Model = .oneCoin

    @Option(help: ArgumentHelp("Worker accuracy: 0.8, uniform:LO,HI or beta:A,B.", valueName: "distribution"))
    var accuracy = "uniform:0.6,0.9"

    @Option(help: ArgumentHelp("Fraction of workers answering uniformly at random.", valueName: "F"))
    var spammers = 0.0

    @Option(help: ArgumentHelp("Class weights: uniform, or K comma-separated weights.", valueName: "W"))
    var prior = "uniform"

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    @Flag(help: "Do not flush answers.arrow to disk before renaming it into place (faster; for scratch data).")
    var noSync = false

    @OptionGroup(title: "Execution") var execution: ExecutionOptions
    @OptionGroup var output: OutputFolderOptions
    @OptionGroup var common: CommonOptions

    mutating func validate() throws {
        if (answers == nil) == (tasks == nil) { throw ValidationError("give one of --answers and --tasks") }
        if SyntheticCrowd.Accuracy(accuracy) == nil { throw ValidationError("--accuracy must be a probability (0.8), uniform:LO,HI or beta:A,B, got '\(accuracy)'") }
        if let p = try? makeCrowd().problem { throw ValidationError(p) }
    }

    func makeCrowd() throws -> SyntheticCrowd {
        let overlap = max(overlap, 1)
        let t = tasks ?? ((answers ?? 0) + overlap - 1) / overlap
        var c = SyntheticCrowd(tasks: t, workers: workers, overlap: overlap, classes: classes)
        c.model = crowd
        c.accuracy = SyntheticCrowd.Accuracy(accuracy) ?? .fixed(0.7)
        c.spammers = spammers
        if prior != "uniform" {
            let w = prior.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !w.contains(where: { $0 == nil }) else { throw ValidationError("--prior must be uniform or \(classes) comma-separated weights") }
            c.prior = w.map { $0! }
        }
        c.seed = seed
        return c
    }

    func run() throws {
        try reportingErrors {
            let out = output.folder(quiet: common.quiet)
            let c = try makeCrowd()
            let s = try c.write(to: out, threads: execution.settings.threads, sync: !noSync)
            let rate = Double(s.answers) / max(s.answerSeconds, 1e-9) / 1e6
            note(String(format: "synth: %d answers (%d tasks × %d, %d workers, K = %d) in %.3f s (%.1f M answers/s), flushed in %.3f s; gold and workers in %.3f s; %.2f%% of answers right",
                        s.answers, c.tasks, c.overlap, c.workers, c.classes, s.answerSeconds, rate, s.flushSeconds, s.truthSeconds, 100 * s.answerAccuracy),
                 quiet: common.quiet)
        }
    }
}

extension SyntheticCrowd.Model: ExpressibleByArgument {}
