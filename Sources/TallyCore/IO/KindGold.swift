/// One comparison of a gold standard for pairwise answers: of `left` and `right`, `winner` is better.
public struct GoldComparison: Sendable, Equatable {
    /// The first item.
    public let left: String
    /// The second item.
    public let right: String
    /// The better of the two (`left` or `right`).
    public let winner: String

    /// A gold comparison.
    public init(left: String, right: String, winner: String) {
        self.left = left
        self.right = right
        self.winner = winner
    }
}

/// The gold standard of a data set of any answer kind, as `tally bench` and `tally simulate`
/// score methods against it.
///
/// Layouts (TSV or CSV, header first, columns in any order):
/// - categorical: `task, label` (``GoldReader``);
/// - numeric: `task` and a number in `value`, `label` or `true_label`;
/// - pairwise: `item` and a true score in `score`, `value` or `label` (higher is better), or gold
///   comparisons `left, right, label` (the label names the winner);
/// - text: `task` and the true text in `text`, `label` or `true_label`;
/// - multi-label: `task` and a list (`["a", "b"]`, `['a', 'b']`) in `labels`, `label` or
///   `true_label`, or one row per true tag.
///
///     let gold = try KindGold.read("vldb-emotion/gold.tsv", as: .numeric)
///     if case .numeric(let values) = gold { print(values.count) }
public enum KindGold: Sendable {
    /// Gold labels of categorical tasks.
    case categorical(GoldLabels)
    /// The true value of each task.
    case numeric([String: Double])
    /// The true score of each item (the higher, the better).
    case pairwiseScores([String: Double])
    /// Gold comparisons of pairs of items.
    case pairwiseComparisons([GoldComparison])
    /// The true text of each task.
    case text([String: String])
    /// The true label set of each task.
    case multiLabel([String: Set<String>])

    /// The kind of answers this gold scores.
    public var type: AnswerType {
        switch self {
        case .categorical: return .categorical
        case .numeric: return .numeric
        case .pairwiseScores, .pairwiseComparisons: return .pairwise
        case .text: return .text
        case .multiLabel: return .multiLabel
        }
    }

    /// Gold entries: tasks, items or comparisons.
    public var count: Int {
        switch self {
        case .categorical(let g): return g.count
        case .numeric(let v): return v.count
        case .pairwiseScores(let v): return v.count
        case .pairwiseComparisons(let c): return c.count
        case .text(let t): return t.count
        case .multiLabel(let m): return m.count
        }
    }

    /// Reads the gold of answers of kind `type` from `path` (layouts above; gzip-compressed files too).
    ///
    /// - Throws: ``InputError`` naming the file, line and field: a missing column, an empty task
    ///   or item, a value that is not a finite number, a list that does not parse, or a task
    ///   given two different values.
    public static func read(_ path: String, as type: AnswerType) throws -> KindGold {
        switch type {
        case .categorical:
            return .categorical(try GoldReader.read(path))
        case .numeric:
            let t = try TableReader.read(path, required: ["task"], alternatives: [["value", "label", "true_label"]], expecting: "task and value (or label, true_label)")
            return .numeric(try numbers(t, key: t.column("task")!, value: t.column("value", "label", "true_label")!, what: "task"))
        case .pairwise:
            let probe = try TableReader.read(path)
            if ["left", "right", "label"].allSatisfy(probe.header.contains) {
                let l = probe.column("left")!, r = probe.column("right")!, w = probe.column("label")!
                var out: [GoldComparison] = []
                for (n, row) in probe.rows.enumerated() {
                    let line = probe.lines[n]
                    guard !row[l].isEmpty, !row[r].isEmpty else { throw InputError(.emptyField, file: probe.file, line: line, field: row[l].isEmpty ? "left" : "right", "empty value; expected an item") }
                    guard row[l] != row[r] else { throw InputError(.invalidValue, file: probe.file, line: line, field: "right", "the comparison names \(ErrorText.quoted(row[l])) twice; expected two different items") }
                    guard row[w] == row[l] || row[w] == row[r] else {
                        throw InputError(.invalidValue, file: probe.file, line: line, field: "label", "\(ErrorText.quoted(row[w])) is neither item; expected the winner, \(ErrorText.quoted(row[l])) or \(ErrorText.quoted(row[r]))")
                    }
                    out.append(GoldComparison(left: row[l], right: row[r], winner: row[w]))
                }
                guard !out.isEmpty else { throw InputError(.noAnswers, file: probe.file, "no rows: the file has a header but no gold comparisons") }
                return .pairwiseComparisons(out)
            }
            guard let key = probe.column("item"), let value = probe.column("score", "value", "label") else {
                let missing = probe.column("item") == nil ? "item" : "score"
                throw InputError(.missingColumn, file: probe.file, line: 1, field: missing,
                    "missing column; expected item and score (the true score of each item), or left, right and label (gold comparisons)")
            }
            return .pairwiseScores(try numbers(probe, key: key, value: value, what: "item"))
        case .text:
            let t = try TableReader.read(path, required: ["task"], alternatives: [["text", "label", "true_label"]], expecting: "task and text (or label, true_label)")
            let ti = t.column("task")!, vi = t.column("text", "label", "true_label")!
            var out: [String: String] = [:]
            for (n, row) in t.rows.enumerated() {
                guard !row[ti].isEmpty else { throw InputError(.emptyField, file: t.file, line: t.lines[n], field: "task", "empty value; expected a task") }
                if let old = out[row[ti]], old != row[vi] {
                    throw InputError(.conflictingGold, file: t.file, line: t.lines[n], field: t.header[vi], "task \(ErrorText.quoted(row[ti])) has two texts, \(ErrorText.quoted(old)) and \(ErrorText.quoted(row[vi]))")
                }
                out[row[ti]] = row[vi]
            }
            guard !out.isEmpty else { throw InputError(.noAnswers, file: t.file, "no rows: the file has a header but no gold texts") }
            return .text(out)
        case .multiLabel:
            let t = try TableReader.read(path, required: ["task"], alternatives: [["labels", "label", "true_label"]], expecting: "task and labels (or label, true_label)")
            let ti = t.column("task")!, vi = t.column("labels", "label", "true_label")!
            var out: [String: Set<String>] = [:]
            for (n, row) in t.rows.enumerated() {
                guard !row[ti].isEmpty else { throw InputError(.emptyField, file: t.file, line: t.lines[n], field: "task", "empty value; expected a task") }
                let cell = row[vi].trimmingSpaces
                if cell.hasPrefix("[") {
                    guard let items = LabelListParser.parse(cell) else {
                        throw InputError(.invalidValue, file: t.file, line: t.lines[n], field: t.header[vi], "\(ErrorText.quoted(cell)) is not a list of labels; expected one like [\"a\", \"b\"] or ['a', 'b']")
                    }
                    out[row[ti], default: []].formUnion(items)
                } else {
                    guard !cell.isEmpty else { throw InputError(.emptyField, file: t.file, line: t.lines[n], field: t.header[vi], "empty value; expected a label or a list of labels") }
                    out[row[ti], default: []].insert(cell)
                }
            }
            guard !out.isEmpty else { throw InputError(.noAnswers, file: t.file, "no rows: the file has a header but no gold label sets") }
            return .multiLabel(out)
        }
    }

    /// A number per key (`task` or `item`), with the errors of ``read(_:as:)``.
    private static func numbers(_ t: TableReader, key: Int, value: Int, what: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        let field = t.header[value]
        for (n, row) in t.rows.enumerated() {
            let line = t.lines[n]
            guard !row[key].isEmpty else { throw InputError(.emptyField, file: t.file, line: line, field: t.header[key], "empty value; expected \(what == "item" ? "an" : "a") \(what)") }
            guard let v = Double(row[value]), v.isFinite else {
                throw InputError(.invalidValue, file: t.file, line: line, field: field, "\(ErrorText.quoted(row[value])) is not a number; expected a finite number such as 42 or -3.5")
            }
            if let old = out[row[key]], old != v {
                throw InputError(.conflictingGold, file: t.file, line: line, field: field, "\(what) \(ErrorText.quoted(row[key])) has two values, \(old) and \(v)")
            }
            out[row[key]] = v
        }
        guard !out.isEmpty else { throw InputError(.noAnswers, file: t.file, "no rows: the file has a header but no gold values") }
        return out
    }
}
