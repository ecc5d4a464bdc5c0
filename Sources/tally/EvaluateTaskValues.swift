import Foundation
import TallyCore

/// A file of one value per task, as `tally evaluate` reads the predictions and the gold of numeric
/// and text answers: a `task` column and a value column under one of several names. The one
/// reading of both, with the same errors (file, line, field) for an empty task, a bad value and a
/// task given twice with different values.
struct TaskValueFile<Value: Sendable>: Sendable {
    /// The value column's accepted names, in order of preference.
    let columns: [String]
    /// What the values are called in messages, in the plural ("values", "texts").
    let plural: String
    /// A cell's value; throws an ``InputError`` naming the file, line and field when it is not one.
    let parse: @Sendable (_ cell: String, _ file: String, _ line: Int, _ field: String) throws -> Value
    /// Whether two values given for one task agree.
    let same: @Sendable (Value, Value) -> Bool
    /// A value as an error message shows it.
    let shown: @Sendable (Value) -> String

    /// Reads `task` and the value per row.
    ///
    /// - Throws: ``InputError`` naming the file, line and field of a missing column, an empty
    ///   task, a value ``parse`` refuses, or a task given twice with values that are not ``same``.
    func read(_ path: String) throws -> [String: Value] {
        let table = try TableReader.read(path, required: ["task"], alternatives: [columns],
                                         expecting: "task and \(columns[0]) (or \(columns.dropFirst().joined(separator: ", ")))")
        let ti = table.column("task")!
        let vi = columns.lazy.compactMap { table.header.firstIndex(of: $0) }.first!
        let field = table.header[vi]
        guard !table.rows.isEmpty else { throw InputError(.noAnswers, file: table.file, "no rows: the file has a header but no \(plural)") }
        var out: [String: Value] = [:]
        for (i, r) in table.rows.enumerated() {
            let line = table.lines[i]
            guard !r[ti].isEmpty else { throw InputError(.emptyField, file: table.file, line: line, field: "task", "empty value; expected a task") }
            let v = try parse(r[vi], table.file, line, field)
            if let old = out[r[ti]], !same(old, v) {
                throw InputError(.conflictingGold, file: table.file, line: line, field: field,
                                 "task \(ErrorText.quoted(r[ti])) has two \(plural), \(shown(old)) and \(shown(v))")
            }
            out[r[ti]] = v
        }
        return out
    }

    /// The predictions in `labels` scored against `gold` by `score`; an error when no gold task
    /// has a prediction (`missing` names one, e.g. "an estimate"), i.e. when `scored` of the
    /// score is 0.
    func score<Score>(labels: String, gold: String, missing: String,
                      _ score: (_ predicted: [String: Value], _ gold: [String: Value]) -> Score, scored: (Score) -> Int) throws -> Score {
        let predicted = try read(labels), truth = try read(gold)
        let s = score(predicted, truth)
        if scored(s) == 0 {
            throw InputError(.noAnswers, file: labels, "no gold task has \(missing) (its \(predicted.count) tasks and the \(truth.count) of \(gold) share no name); check that the task names match")
        }
        return s
    }
}
