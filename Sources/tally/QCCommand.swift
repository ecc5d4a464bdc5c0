import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore
import TallyQualityControl
import TallySimulation

struct QCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qc",
        abstract: "Quality-control rules: replay them on an export.",
        subcommands: [QCReplay.self]
    )
}

/// `qc replay`'s optional `--out-dir`: a copy of the printed bans and the summary.
enum ReplayFolder: OutputFolderRole {
    static let help = "Also write bans.tsv and replay.json to this folder."
    static let isRequired = false
}

struct QCReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Which workers a pool's rules would have banned, and when, on a Toloka TSV export.",
        discussion: """
            Rebuilds the assignment events from EXPORT (Toloka's TSV export: ASSIGNMENT:worker_id, \
            status, started; ASSIGNMENT:submitted makes submit-time rules work) and runs the rules of \
            --rules (a pool JSON with quality_control, or a bare quality_control object) over them. \
            Prints every action as TSV on stdout: time, worker, rule, action, scope, until, the \
            statistics that fired it. Collectors that cannot be replayed are skipped with a warning.

            With --gold (task, label; tasks named as in the export's INPUT: values), also scores \
            --methods on the accepted answers with and without the answers each banned \
            worker submitted after the first ban (methods that need gold learn from the export's \
            golden tasks).

            Example:
              tally qc replay run1/export.tsv --rules run1/pool.json --gold run1/gold.tsv --out-dir replay
            """
    )

    @Argument(help: "Toloka's TSV export.")
    var export: String

    @Option(help: "A pool JSON (or its quality_control object) holding the rules.")
    var rules: String

    @Option(help: "Gold labels of general tasks (task, label), to score accuracy with and without the banned workers' later answers.")
    var gold: String?

    @OptionGroup(title: "Scoring (with --gold)") var scoring: MethodListOptions
    @OptionGroup(title: "Scoring (with --gold)") var tuning: MethodTuningOptions

    @OptionGroup var output: OutputFolder<ReplayFolder>
    @OptionGroup var common: CommonOptions

    var quiet: Bool { common.quiet }

    func run() throws {
        try reportingErrors {
            let out = output.given(quiet: quiet)
            let methods = try scoring.chosen(default: "mv", quiet: quiet)
            let qc = try QualityControl.read(path: rules)
            for (i, c) in qc.configs.enumerated() where !c.collector.kind.isEmulated {
                note("tally: warning: \(rules): configs[\(i)]: \(c.collector.kind.rawValue) cannot be replayed; skipped", quiet: quiet)
            }
            // Read once: EXPORT may be `-` (standard input), which can be read only once.
            let table = try TableReader.read(export, required: ["ASSIGNMENT:worker_id"], expecting: "Toloka's export columns (ASSIGNMENT:worker_id, ASSIGNMENT:status, ASSIGNMENT:started, OUTPUT:…)", delimiter: UInt8(ascii: "\t"))
            let events = try TolokaExportEvents(table)
            let actions = try events.replay(qc, ignoringUnsupported: true)
            let log = SimulationResult.qcLogTSV(actions, epoch: 0) { events.workers.name($0) }
            let firstBan = ReplayAnswers.firstBans(actions) { events.workers.name($0) }
            var report: [String: Any] = [
                "export": export, "rules": rules, "actions": actions.count,
                "banned_workers": firstBan.count, "workers": events.workers.count,
            ]
            var summary = "\(actions.count) actions, \(firstBan.count) of \(events.workers.count) workers banned"
            if let gold {
                let g = try GoldReader.read(gold)
                let answers = try ReplayAnswers(export: table, file: export, firstBan: firstBan)
                let accuracyWith = try Self.accuracies(methods, answers.all, answers.goldenAll, answers.goldenLabels, truth: g, tuning.parameters)
                let accuracyWithout = try Self.accuracies(methods, answers.kept, answers.goldenKept, answers.goldenLabels, truth: g, tuning.parameters)
                report["accuracy_with_banned_later_answers"] = accuracyWith
                report["accuracy_without_banned_later_answers"] = accuracyWithout
                report["answers_removed"] = answers.removed
                func scores(_ accuracy: [String: Double]) -> String {
                    let shown = methods.compactMap { m in accuracy[m.name].map { "\(m.name) \(String(format: "%.4f", $0))" } }
                    return shown.isEmpty ? "none scored" : shown.joined(separator: ", ")
                }
                summary += "; accuracy with banned workers' later answers: \(scores(accuracyWith)); without (\(answers.removed) answers removed): \(scores(accuracyWithout))"
            }
            let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            if let out {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try AtomicFile.write([(log, out + "/bans.tsv"), (Array(json) + [0x0A], out + "/replay.json")])
            }
            FileHandle.standardOutput.write(Data(log))
            note(summary, quiet: quiet)
        }
    }

    /// Each method's accuracy on `answers`; methods that need gold learn from the golden answers too.
    static func accuracies(_ methods: [MethodDescriptor], _ answers: AnswerColumns, _ golden: AnswerColumns, _ goldenLabels: [String: String],
                           truth: GoldLabels, _ parameters: MethodParameters) throws -> [String: Double] {
        guard answers.count > 0, !methods.isEmpty else { return [:] }
        let table = try AnswerTable(tasks: answers.tasks, workers: answers.workers, labels: answers.labels)
        var goldenSet: MethodRegistry.GoldenSet?
        if methods.contains(where: \.needsGold), golden.count > 0 {
            let both = answers.appending(golden)
            goldenSet = MethodRegistry.GoldenSet(answers: try AnswerTable(tasks: both.tasks, workers: both.workers, labels: both.labels), gold: GoldLabels(goldenLabels))
        }
        return try MethodRegistry.accuracies(methods, answers: table, truth: truth, golden: goldenSet, parameters: parameters)
    }
}
