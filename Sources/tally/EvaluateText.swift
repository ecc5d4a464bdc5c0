import Foundation
import TallyCore

/// `tally evaluate TEXTS --gold GOLD --answer-type text`: word error rate of transcriptions.
enum TextScoring {
    /// Transcriptions and gold texts: `task` and a text (`text`, `output`, `label` or `true_label`)
    /// per row; any text is a value, two are the same when their bytes are.
    static let file = TaskValueFile<String>(
        columns: ["text", "output", "label", "true_label"], plural: "texts",
        parse: { cell, _, _, _ in cell },
        same: { $0.utf8.elementsEqual($1.utf8) }, shown: { ErrorText.quoted($0) })

    /// The word error rate of `labels` against `gold`; an error when no gold task has a text.
    static func wer(labels: String, gold: String, tokenizer: TextTokenizer) throws -> WordErrorRate {
        try file.score(labels: labels, gold: gold, missing: "a text", { WordErrorRate(predictions: $0, gold: $1, tokenizer: tokenizer) },
                       scored: \.scored)
    }

    static func text(_ w: WordErrorRate) -> String {
        var s = "scored \(w.scored) of \(w.goldTasks) gold tasks"
        if w.scored < w.goldTasks { s += " (\(w.goldTasks - w.scored) have no text)" }
        s += String(format: "\nWER            %.4f  (%d errors over %d reference words: %d substitutions, %d deletions, %d insertions)\n",
                    w.wer, w.errors, w.referenceWords, w.substitutions, w.deletions, w.insertions)
        s += String(format: "mean task WER  %.4f\n", w.meanTaskWER)
        return s
    }

    static func json(_ w: WordErrorRate) -> String {
        func num(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        return """
            {
              "scored": \(w.scored),
              "gold_tasks": \(w.goldTasks),
              "tokenizer": "\(w.tokenizer.rawValue)",
              "wer": \(num(w.wer)),
              "mean_task_wer": \(num(w.meanTaskWER)),
              "errors": \(w.errors),
              "reference_words": \(w.referenceWords),
              "substitutions": \(w.substitutions),
              "deletions": \(w.deletions),
              "insertions": \(w.insertions)
            }

            """
    }

    /// `task, wer, errors, reference_words, substitutions, deletions, insertions` per scored task.
    static func perTask(_ w: WordErrorRate, format: OutputFormat) -> [UInt8] {
        let columns = ["wer", "errors", "reference_words", "substitutions", "deletions", "insertions"]
        var values: [Double] = []
        values.reserveCapacity(w.tasks.count * columns.count)
        for t in w.tasks {
            values += [t.wer, Double(t.errors), Double(t.referenceWords), Double(t.substitutions), Double(t.deletions), Double(t.insertions)]
        }
        return ResultWriter.columns("task", keys: Interner(w.tasks.map(\.task)), columns: columns, values: values, format: format)
    }
}
