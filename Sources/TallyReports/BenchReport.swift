import Foundation
import TallyCore

/// Renders benchmark rows as TSV, JSON and a Markdown table.
public enum BenchReport {
    static func number(_ x: Double, _ digits: Int = 4) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "nan"
    }

    /// The columns results.tsv adds when a run has data sets of other answer types.
    static let kindColumns = ["answer_type", "mae", "rmse", "kendall_tau", "spearman_rho", "agreement", "wer", "precision", "recall", "f1"]

    /// results.tsv: a header, then one row per ``Bench/Row`` (accuracy and macro-F1 to 4 decimals,
    /// seconds to 6, peak RSS to 1; `nan` for a missing number). When a row is not categorical,
    /// the columns `answer_type`, `mae`, `rmse`, `kendall_tau`, `spearman_rho`, `agreement`,
    /// `wer`, `precision`, `recall` and `f1` follow (4 decimals; empty when not the row's kind's);
    /// a categorical run's file is as before.
    public static func tsv(_ rows: [Bench.Row]) -> String {
        let kinds = rows.contains { $0.kind != .categorical }
        var s = "dataset\tmethod\tanswers\ttasks\tgold_tasks\taccuracy\tmacro_f1\titerations\tseconds\tpeak_rss_mb\tbest\tpublished_accuracy"
        s += (kinds ? "\t" + kindColumns.joined(separator: "\t") : "") + "\n"
        for r in rows {
            var fields = [r.dataset, r.method, "\(r.answers)", "\(r.tasks)", "\(r.goldTasks)", number(r.accuracy), number(r.macroF1),
                          r.iterations.map(String.init) ?? "", number(r.seconds, 6), number(r.peakRSSMB, 1), r.best ? "1" : "0",
                          r.published.map { number($0, 3) } ?? ""]
            if kinds {
                fields.append(r.kind.rawValue)
                fields += [r.mae, r.rmse, r.kendallTau, r.spearmanRho, r.agreement, r.wer, r.precision, r.recall, r.f1].map { $0.map { number($0) } ?? "" }
            }
            s += fields.joined(separator: "\t") + "\n"
        }
        return s
    }

    /// results.json: the rows, the skipped data sets and, when given, the command lines that
    /// produced them and how the run was made (read back by ``BenchResults``).
    public static func json(_ rows: [Bench.Row], skipped: [Bench.Skipped], commands: [String] = [], run: BenchRun? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Rows of other answer types have no accuracy (NaN), and a metric may be NaN too.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let document = BenchResults.Document(results: rows, skipped: skipped, commands: commands.isEmpty ? nil : commands, run: run)
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    /// Accuracy per data set (rows) and method (columns); the best in bold, a published value in
    /// brackets after ours. With data sets of other answer types, one table per type (in
    /// ``AnswerType`` order) with the type's metric (``Bench/Row/primaryScore``).
    public static func markdown(_ rows: [Bench.Row], skipped: [Bench.Skipped]) -> String {
        guard rows.contains(where: { $0.kind != .categorical }) else { return categoricalMarkdown(rows, skipped: skipped) }
        var s = ""
        for type in AnswerType.allCases {
            let group = rows.filter { $0.kind == type }
            guard !group.isEmpty else { continue }
            s += "### \(type.rawValue): \(caption(type))\n\n" + table(group) { r in
                var cell = number(r.primaryScore)
                if r.best { cell = "**\(cell)**" }
                if type == .categorical, let p = r.published { cell += " (\(number(p, 3)))" }
                if type == .numeric, let rmse = r.rmse { cell += " / \(number(rmse))" }
                if type == .pairwise, let rho = r.spearmanRho { cell += " / \(number(rho))" }
                return cell
            } + "\n"
        }
        s += "The best per data set in bold.\n"
        if !skipped.isEmpty {
            s += "\nSkipped:\n" + skipped.map { "- \($0.dataset): \($0.reason)" }.joined(separator: "\n") + "\n"
        }
        return s
    }

    /// What the cells of an answer type's table show.
    static func caption(_ type: AnswerType) -> String {
        switch type {
        case .categorical: return "accuracy on gold tasks (published values in brackets)"
        case .numeric: return "MAE / RMSE against gold values (lower is better)"
        case .pairwise: return "Kendall's τ / Spearman's ρ of the item ranking against gold scores (or agreement with gold comparisons)"
        case .text: return "word error rate against gold texts (lower is better)"
        case .multiLabel: return "micro F1 of label sets against gold"
        }
    }

    /// A data set × method table of `rows`, each cell rendered by `cell`.
    static func table(_ rows: [Bench.Row], cell: (Bench.Row) -> String) -> String {
        var methods: [String] = [], datasets: [String] = []
        for r in rows {
            if !methods.contains(r.method) { methods.append(r.method) }
            if !datasets.contains(r.dataset) { datasets.append(r.dataset) }
        }
        var s = "| dataset | " + methods.joined(separator: " | ") + " |\n|---|" + methods.map { _ in "---:" }.joined(separator: "|") + "|\n"
        for d in datasets {
            s += "| \(d) |" + methods.map { m in rows.first { $0.dataset == d && $0.method == m }.map { " \(cell($0)) |" } ?? " — |" }.joined() + "\n"
        }
        return s
    }

    /// The table of a run of categorical data sets only, as `tally bench` has always written it.
    static func categoricalMarkdown(_ rows: [Bench.Row], skipped: [Bench.Skipped]) -> String {
        var methods: [String] = []
        var datasets: [String] = []
        for r in rows {
            if !methods.contains(r.method) { methods.append(r.method) }
            if !datasets.contains(r.dataset) { datasets.append(r.dataset) }
        }
        var s = "| dataset | " + methods.joined(separator: " | ") + " |\n|---|" + methods.map { _ in "---:" }.joined(separator: "|") + "|\n"
        for d in datasets {
            s += "| \(d) |"
            for m in methods {
                guard let r = rows.first(where: { $0.dataset == d && $0.method == m }) else { s += " — |"; continue }
                var cell = number(r.accuracy)
                if r.best { cell = "**\(cell)**" }
                if let p = r.published { cell += " (\(number(p, 3)))" }
                s += " \(cell) |"
            }
            s += "\n"
        }
        s += "\nAccuracy on each data set's gold tasks; the best per data set in bold; published values in brackets.\n"
        if !skipped.isEmpty {
            s += "\nSkipped:\n" + skipped.map { "- \($0.dataset): \($0.reason)" }.joined(separator: "\n") + "\n"
        }
        return s
    }
}
