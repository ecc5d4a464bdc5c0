import Foundation
import TallyCore

/// `tally evaluate TEXTS --gold GOLD --answer-type text`: word error rate of transcriptions.
enum TextScoring {
    /// Reads `task` and a transcription (`text`, `output`, `label` or `true_label`) per row.
    ///
    /// - Throws: ``InputError`` naming the file, line and field of a missing column, invalid
    ///   UTF-8, an empty task, or a task given twice with different texts.
    static func read(_ path: String) throws -> [String: String] {
        let table = try TableReader.read(path, required: ["task"], alternatives: [["text", "output", "label", "true_label"]],
                                         expecting: "task and text (or output, label, true_label)")
        let ti = table.column("task")!, vi = table.column("text", "output", "label", "true_label")!
        guard !table.rows.isEmpty else { throw InputError(.noAnswers, file: table.file, "no rows: the file has a header but no texts") }
        var out: [String: String] = [:]
        for (i, r) in table.rows.enumerated() {
            guard !r[ti].isEmpty else { throw InputError(.emptyField, file: table.file, line: table.lines[i], field: "task", "empty value; expected a task") }
            if let old = out[r[ti]], !old.utf8.elementsEqual(r[vi].utf8) {
                throw InputError(.conflictingGold, file: table.file, line: table.lines[i], field: table.header[vi],
                                 "task \(ErrorText.quoted(r[ti])) has two texts, \(ErrorText.quoted(old)) and \(ErrorText.quoted(r[vi]))")
            }
            out[r[ti]] = r[vi]
        }
        return out
    }

    /// The word error rate of `labels` against `gold`; an error when no gold task has a text.
    static func wer(labels: String, gold: String, tokenizer: TextTokenizer) throws -> WordErrorRate {
        let predicted = try read(labels), truth = try read(gold)
        let w = WordErrorRate(predictions: predicted, gold: truth, tokenizer: tokenizer)
        if w.scored == 0 {
            throw InputError(.noAnswers, file: labels, "no gold task has a text (its \(predicted.count) tasks and the \(truth.count) of \(gold) share no name); check that the task names match")
        }
        return w
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
