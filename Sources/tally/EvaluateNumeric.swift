import Foundation
import TallyCore

/// `tally evaluate VALUES --gold GOLD --answer-type numeric`: MAE and RMSE of numeric estimates.
enum NumericScoring {
    /// Estimates and gold values: `task` and a number (`value`, `label` or `true_label`) per row;
    /// a value that is not a finite number is an error naming its file, line and field.
    static let file = TaskValueFile<Double>(
        columns: ["value", "label", "true_label"], plural: "values",
        parse: { cell, file, line, field in
            guard let v = Double(cell), v.isFinite else {
                throw InputError(.invalidValue, file: file, line: line, field: field, "\(ErrorText.quoted(cell)) is not a number; expected a finite number such as 42 or -3.5")
            }
            return v
        },
        same: { $0 == $1 }, shown: { "\($0)" })

    /// MAE and RMSE of the estimates in `labels` against `gold`; an error when no gold task has an estimate.
    static func errors(labels: String, gold: String) throws -> NumericErrors {
        try file.score(labels: labels, gold: gold, missing: "an estimate", { NumericErrors(estimates: $0, gold: $1) }, scored: \.scored)
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
