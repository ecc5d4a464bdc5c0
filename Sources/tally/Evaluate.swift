import ArgumentParser
import Foundation
import TallyCore

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score predicted labels against gold labels, and measure how much the crowd agreed.",
        discussion: """
            LABELS and GOLD are TSV or CSV files with a header naming task and label (GOLD may \
            call it true_label); LABELS may also be the JSON that aggregate --format json writes. Only gold tasks that have a prediction are scored; the report \
            says how many (none in common is an error, exit 65). Prints accuracy, macro-F1 and per-class precision, recall and F1.

            With --answers FILE (the crowd's answers), it also reports agreement, as crowd-kit's \
            metrics compute it: Krippendorff's alpha (--metrics alpha; nominal for labels), \
            uncertainty (the entropy of each task's answers, in nats; with --by worker, of each \
            worker's) and consistency (the posterior probability of each task's aggregated \
            label given the workers' skills). Consistency takes labels and skills from --method \
            (default mv); uncertainty takes skills from --weights FILE, else from --method when \
            given, else gives every worker skill 1. --out writes the per-task (or per-worker) values.

            With --answer-type numeric, LABELS are estimates (task, value) scored by mean absolute \
            error and root mean squared error, and the agreement of numeric --answers is \
            Krippendorff's alpha with the interval (squared difference) distance.

            With --answer-type text, LABELS are transcriptions (task, text) scored by word error \
            rate as jiwer computes it ((substitutions + deletions + insertions) / reference words, \
            over all scored tasks, and the mean of the per-task rates); --out writes each task's.

            Examples:
              tally aggregate datasets/toy/answers.tsv --method mv --out labels.tsv
              tally evaluate labels.tsv --gold datasets/toy/gold.tsv
              tally evaluate --answers datasets/toy/answers.tsv --metrics alpha,uncertainty --out per-task.tsv
              tally aggregate ratings.tsv --answer-type numeric --method catd --out values.tsv
              tally evaluate values.tsv --gold gold.tsv --answers ratings.tsv --answer-type numeric
              tally aggregate speech.tsv --answer-type text --method rover --out texts.tsv
              tally evaluate texts.tsv --gold transcripts.tsv --answer-type text --out wer.tsv
            """
    )

    @Argument(help: "Predicted labels (task, label), or - for stdin.")
    var labels: String?

    @Option(help: "Gold labels (task, label).")
    var gold: String?

    @OptionGroup(title: "Agreement") var agreement: AgreementOptions

    @Option(help: "--answer-type text: how words are cut for the word error rate: whitespace (the default; jiwer's), space or character.")
    var tokenizer: TextTokenizer = .whitespace

    @Option(help: "Report format: text or json.")
    var report: ReportFormat?

    @Option(name: .customLong("format"), help: .hidden)
    var formatOld: ReportFormat?

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    mutating func validate() throws {
        if report != nil && formatOld != nil { throw ValidationError("--format is the old spelling of --report; give one") }
        if (labels == nil) != (gold == nil) { throw ValidationError(labels == nil ? "--gold needs LABELS to score" : "LABELS need --gold GOLD to be scored against") }
        if labels == nil && agreement.answers == nil { throw ValidationError("give LABELS with --gold GOLD, or --answers FILE, or both") }
        try agreement.validate()
    }

    func run() throws {
        if formatOld != nil { deprecated("--format", use: "--report") }
        let format = report ?? formatOld ?? .text
        try reportingErrors {
            let agreed = try agreement.run(json: format == .json)
            guard let labels, let gold else {
                FileHandle.standardOutput.write(Data((agreed?.text ?? "").utf8))
                return
            }
            var text: String
            if agreement.answerType == .numeric {
                let e = try NumericScoring.errors(labels: labels, gold: gold)
                text = format == .json ? NumericScoring.json(e) : NumericScoring.text(e)
            } else if agreement.answerType == .text {
                let w = try TextScoring.wer(labels: labels, gold: gold, tokenizer: tokenizer)
                text = format == .json ? TextScoring.json(w) : TextScoring.text(w)
                if let out = agreement.out { try AtomicFile.write([(TextScoring.perTask(w, format: OutputFormat(pathExtensionOf: out) ?? .tsv), out)]) }
            } else {
                let predicted = labels.lowercased().hasSuffix(".json") ? try readJSONLabels(labels) : try GoldReader.read(labels, kind: .predicted)
                let truth = try GoldReader.read(gold)
                let e = Evaluation(predictions: predicted, gold: truth)
                // Nothing to score: no report (its accuracy would be undefined), an error instead.
                if e.scored == 0 {
                    throw InputError(.noAnswers, file: labels, "no gold task has a prediction (its \(predicted.count) tasks and the \(truth.count) of \(gold) share no name); check that the task names match")
                }
                text = format == .json ? json(e) : textReport(e)
            }
            if let agreed {
                // One JSON object: the agreement members go in before the closing brace.
                if format == .json, let brace = text.lastIndex(of: "}") {
                    text = String(text[..<brace]).trimmingCharacters(in: .whitespacesAndNewlines) + ",\n  \"agreement\": \(agreed.text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: "\n  "))\n}\n"
                } else {
                    text += "\n" + agreed.text
                }
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// Labels as `tally aggregate --format json` writes them: `[{"task": …, "label": …}, …]`.
    private func readJSONLabels(_ path: String) throws -> GoldLabels {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(.fileNotFound, file: path, "no such file")
        }
        guard let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw InputError(.invalidJSON, file: path, "expected a JSON array of {\"task\": …, \"label\": …} objects, as tally aggregate --format json writes")
        }
        return try GoldLabels(array.enumerated().map { i, o in
            guard let t = o["task"] as? String, let l = o["label"] as? String else {
                throw InputError(.invalidJSON, file: path, field: "record \(i + 1)", "expected string task and label keys")
            }
            return GoldLabels.Entry(task: t, label: l)
        }, file: path, kind: .predicted)
    }

    private func textReport(_ e: Evaluation) -> String {
        var s = "scored \(e.scored) of \(e.goldTasks) gold tasks"
        if e.unscored > 0 { s += " (\(e.unscored) have no prediction)" }
        s += "\n"
        s += String(format: "accuracy  %.4f  (%d correct)\nmacro-F1  %.4f\n\n", e.accuracy, e.correct, e.macroF1)
        let width = max(5, e.perClass.map { $0.label.count }.max() ?? 5)
        s += "label".padding(toLength: width, withPad: " ", startingAt: 0) + "  precision  recall      f1  support\n"
        for c in e.perClass {
            s += c.label.padding(toLength: width, withPad: " ", startingAt: 0)
            s += String(format: "  %9.4f  %6.4f  %6.4f  %7d\n", c.precision, c.recall, c.f1, c.support)
        }
        return s
    }

    private func json(_ e: Evaluation) -> String {
        func num(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        func str(_ s: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        let classes = e.perClass.map {
            "    {\"label\": \(str($0.label)), \"precision\": \(num($0.precision)), \"recall\": \(num($0.recall)), \"f1\": \(num($0.f1)), \"support\": \($0.support), \"predicted\": \($0.predicted)}"
        }
        return """
            {
              "scored": \(e.scored),
              "gold_tasks": \(e.goldTasks),
              "correct": \(e.correct),
              "accuracy": \(num(e.accuracy)),
              "macro_f1": \(num(e.macroF1)),
              "per_class": [
            \(classes.joined(separator: ",\n"))
              ]
            }

            """
    }
}
