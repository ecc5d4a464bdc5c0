import Foundation
import TallyCore

/// `tally evaluate VALUES --gold GOLD --answer-type numeric`: MAE and RMSE of numeric estimates.
enum NumericScoring {
    /// Reads `task` and a number (`value`, `label` or `true_label`) per row.
    ///
    /// - Throws: ``InputError`` naming the file, line and field of a missing column, an empty
    ///   cell, a value that is not a finite number, or a task given twice with different values.
    static func read(_ path: String) throws -> [String: Double] {
        let table = try TableReader.read(path, required: ["task"], alternatives: [["value", "label", "true_label"]],
                                         expecting: "task and value (or label, true_label)")
        let ti = table.column("task")!, vi = table.column("value", "label", "true_label")!
        let field = table.header[vi]
        guard !table.rows.isEmpty else { throw InputError(.noAnswers, file: table.file, "no rows: the file has a header but no values") }
        var out: [String: Double] = [:]
        for (i, r) in table.rows.enumerated() {
            let line = table.lines[i]
            guard !r[ti].isEmpty else { throw InputError(.emptyField, file: table.file, line: line, field: "task", "empty value; expected a task") }
            guard let v = Double(r[vi]), v.isFinite else {
                throw InputError(.invalidValue, file: table.file, line: line, field: field, "\(ErrorText.quoted(r[vi])) is not a number; expected a finite number such as 42 or -3.5")
            }
            if let old = out[r[ti]], old != v {
                throw InputError(.conflictingGold, file: table.file, line: line, field: field, "task \(ErrorText.quoted(r[ti])) has two values, \(old) and \(v)")
            }
            out[r[ti]] = v
        }
        return out
    }

    /// MAE and RMSE of the estimates in `labels` against `gold`; an error when no gold task has an estimate.
    static func errors(labels: String, gold: String) throws -> NumericErrors {
        let estimates = try read(labels), truth = try read(gold)
        let e = NumericErrors(estimates: estimates, gold: truth)
        if e.scored == 0 {
            throw InputError(.noAnswers, file: labels, "no gold task has an estimate (its \(estimates.count) tasks and the \(truth.count) of \(gold) share no name); check that the task names match")
        }
        return e
    }

    static func text(_ e: NumericErrors) -> String {
        var s = "scored \(e.scored) of \(e.goldTasks) gold tasks"
        if e.scored < e.goldTasks { s += " (\(e.goldTasks - e.scored) have no estimate)" }
        return s + String(format: "\nMAE   %.4f\nRMSE  %.4f\n", e.mae, e.rmse)
    }

    static func json(_ e: NumericErrors) -> String {
        "{\n  \"scored\": \(e.scored),\n  \"gold_tasks\": \(e.goldTasks),\n  \"mae\": \(e.mae),\n  \"rmse\": \(e.rmse)\n}\n"
    }
}
