import Foundation

/// Renders benchmark rows as TSV, JSON and a Markdown table.
public enum BenchReport {
    static func number(_ x: Double, _ digits: Int = 4) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "nan"
    }

    /// results.tsv: a header, then one row per ``Bench/Row`` (accuracy and macro-F1 to 4 decimals,
    /// seconds to 6, peak RSS to 1; `nan` for a missing number).
    public static func tsv(_ rows: [Bench.Row]) -> String {
        var s = "dataset\tmethod\tanswers\ttasks\tgold_tasks\taccuracy\tmacro_f1\titerations\tseconds\tpeak_rss_mb\tbest\tpublished_accuracy\n"
        for r in rows {
            s += [r.dataset, r.method, "\(r.answers)", "\(r.tasks)", "\(r.goldTasks)", number(r.accuracy), number(r.macroF1),
                  r.iterations.map(String.init) ?? "", number(r.seconds, 6), number(r.peakRSSMB, 1), r.best ? "1" : "0",
                  r.published.map { number($0, 3) } ?? ""].joined(separator: "\t") + "\n"
        }
        return s
    }

    /// results.json: the rows, the skipped data sets and, when given, the command lines that
    /// produced them and how the run was made (read back by ``BenchResults``).
    public static func json(_ rows: [Bench.Row], skipped: [Bench.Skipped], commands: [String] = [], run: BenchRun? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let document = BenchResults.Document(results: rows, skipped: skipped, commands: commands.isEmpty ? nil : commands, run: run)
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    /// Accuracy per data set (rows) and method (columns); the best in bold, a published value in
    /// brackets after ours.
    public static func markdown(_ rows: [Bench.Row], skipped: [Bench.Skipped]) -> String {
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
