import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore
import TallyReports

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run aggregation methods on every data set in a folder and score them.",
        discussion: """
            Every sub-folder of --datasets with answers.arrow or answers.tsv + gold.tsv, each TSV \
            possibly gzip-compressed (the layout of datasets/real), or crowd-kit's \
            crowd_labels.csv + gt.csv is a data set. Answers may be of any type: dataset.json \
            ({"answer_type": "numeric"}, as `tally simulate` writes for a question scenario) names \
            it, else the header tells it (left/right/label: pairwise; value: numeric; text: text; \
            labels: multi-label), and categorical labels that are all numbers, more than \
            --max-labels of them, are numeric (vldb-emotion). Only methods that take the type run \
            (a method named in --methods that does not is reported as skipped), scored with the \
            type's metric against gold of the type: MAE and RMSE (numeric), Kendall's tau and \
            Spearman's rho against gold item scores or agreement with gold comparisons \
            (pairwise), WER (text), micro F1 (multi-label); results.md has a table per type. Each \
            method's accuracy and macro-F1 on the gold tasks, iterations, median fit time over \
            --repeat runs and the process's peak RSS go to results.tsv, results.json and \
            results.md in --out-dir (results.json also records the command line, the tally version \
            and commit, and the date; `tally report` turns the folder into a notebook); \
            published accuracies (--published, by default datasets/published-accuracy.tsv when \
            it exists) are shown beside ours. A folder that \
            cannot be read is reported and skipped, and so is one with more than --max-labels \
            distinct labels that are not all numbers. Methods that need gold (gold-mv) are not in `all`: \
            they would be scored on the gold they learned from; name them to run them anyway.

            Example:
              tally bench --datasets datasets/real --methods all --out-dir bench-results
              tally bench --datasets datasets/real --methods mv,ds --repeat 5 --out-dir bench
            """
    )

    @Option(help: "The folder of data sets.")
    var datasets: String

    @Option(help: ArgumentHelp("Comma-separated methods (\(MethodRegistry.names.joined(separator: ", "))) or all.", valueName: "list"))
    var methods: String = "all"

    @OptionGroup(title: "Methods") var tuning: MethodTuningOptions

    @Option(help: "Fit each method this many times and report the median time.")
    var `repeat`: Int = 1

    @Option(help: "Published accuracies (dataset, method, accuracy TSV).")
    var published: String?

    @Option(help: "Take categorical data sets with more distinct labels than this as numeric when every label is a number (else skip them).")
    var maxLabels: Int = 50

    @OptionGroup var output: OutputFolderOptions
    @OptionGroup var common: CommonOptions

    var quiet: Bool { common.quiet }

    func run() throws {
        try reportingErrors {
            let out = output.folder(quiet: quiet)
            let chosen = try BenchMethod.named(methods, parameters: tuning.parameters)
            for m in chosen where m.needsGold {
                note("tally: warning: \(m.name) is fitted with each data set's gold, so its accuracy is measured on what it learned from", quiet: quiet)
            }
            let publishedPath = published ?? (FileManager.default.fileExists(atPath: "datasets/published-accuracy.tsv") ? "datasets/published-accuracy.tsv" : nil)
            let known = try publishedPath.map { try Bench.published($0) } ?? [:]
            let run = BenchRun.current(tallyVersion: Tally.configuration.version, datasets: datasets)
            let start = ContinuousClock.now
            let (rows, skipped) = Bench(methods: chosen, repeats: `repeat`, maxLabels: maxLabels).run(directory: datasets, published: known) { line in
                note(line, quiet: quiet)
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try AtomicFile.write([
                (Array(BenchReport.tsv(rows).utf8), out + "/results.tsv"),
                (Array(try BenchReport.json(rows, skipped: skipped, commands: BenchRun.commands(), run: run).utf8), out + "/results.json"),
                (Array(BenchReport.markdown(rows, skipped: skipped).utf8), out + "/results.md"),
            ])
            let sets = Set(rows.map(\.dataset)).count
            note("\(rows.count) runs on \(sets) data sets in \(seconds(since: start)); \(skipped.count) skipped; results in \(out)", quiet: quiet)
        }
    }
}
