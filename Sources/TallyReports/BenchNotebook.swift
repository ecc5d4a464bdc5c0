import Foundation
import TallyAggregation
import TallyCore

/// The notebook `tally report` writes for a `tally bench` results folder.
///
/// In order: a title and introduction; how the results were made (the recorded command lines,
/// tally version, commit, date); the accuracy table (Markdown, then a pandas cell reloading
/// results.tsv, its output the same table); the accuracy and fit-time charts (Vega-Lite
/// outputs); and cells that re-run the same methods in crowd-kit on the same data for a
/// cross-check (no outputs: they need crowd-kit and the data sets). Depends only on its inputs,
/// so the same results give the same bytes.
public struct BenchNotebook: Sendable {
    /// Tally's method names and the crowd-kit classes that implement the same algorithm, from
    /// ``MethodRegistry`` (methods that need gold are left out: the cross-check cells fit without it).
    static let crowdKitClasses: [(method: String, className: String)] = MethodRegistry.all.compactMap { m in
        guard !m.needsGold, m.accepts(.categorical), let c = m.crowdKitClass else { return nil }
        return (m.name, c)
    }

    /// The results the notebook shows (results.json of a `tally bench` folder).
    public var results: BenchResults
    /// The notebook's heading (default `Tally benchmark`).
    public var title: String
    /// The results folder as the notebook's Python cells should open it (relative to the
    /// notebook's folder when possible, since Jupyter runs a notebook there).
    public var resultsPath: String
    /// The command line that made the notebook, shown with the others; `nil` to leave it out.
    public var reportCommand: String?
    /// Leave out what depends on the machine or the moment rather than on the data: the `cd`
    /// lines, the date, the commit, the folders, and the fit times (the fit-time chart).
    public var stable = false
    /// The data set folder as the cross-check cells open it; `nil` for the absolute path recorded
    /// in results.json.
    public var datasetsPath: String?
    /// Command lines that made the data sets (e.g. `tally simulate` runs), shown before the bench's.
    public var datasetCommands: [String] = []
    /// Extra Markdown for the introduction.
    public var note: String?

    /// A notebook of `results`; set the other properties before calling ``notebook()``.
    public init(results: BenchResults, title: String = "Tally benchmark", resultsPath: String, reportCommand: String? = nil) {
        self.results = results
        self.title = title
        self.resultsPath = resultsPath
        self.reportCommand = reportCommand
    }

    /// The charts, by file name (for `--charts`): accuracy, one chart per other answer type
    /// present (`numeric-mae`, `pairwise-score`, `text-wer`, `multi-label-f1`), and fit time
    /// unless ``stable``.
    public func charts() -> [(name: String, spec: VegaLite)] {
        (hasCategorical ? [("accuracy", BenchCharts.accuracy(categoricalRows))] : []) + kindCharts
            + (stable ? [] : [("fit-time", BenchCharts.fitTime(results.rows))])
    }

    /// The rows of categorical data sets (all rows of a run without other kinds).
    var categoricalRows: [Bench.Row] { results.rows.filter { $0.kind == .categorical } }

    /// Whether the accuracy chart is drawn: there are categorical rows, or no rows of another kind.
    var hasCategorical: Bool { !results.rows.contains { $0.kind != .categorical } || !categoricalRows.isEmpty }

    /// One chart per answer type other than categorical that has rows, in ``AnswerType`` order.
    var kindCharts: [(name: String, spec: VegaLite)] {
        AnswerType.allCases.filter { t in t != .categorical && results.rows.contains { $0.kind == t } }.map { t in
            ("\(t.rawValue)-\(KindCharts.metric(t).field)", KindCharts.bench(results.rows, type: t))
        }
    }

    /// The notebook.
    public func notebook() -> Notebook {
        let rows = results.rows
        let methods = ordered(rows.map(\.method))
        let datasets = ordered(rows.map(\.dataset))
        var nb = Notebook()

        var intro = "# \(title)\n\n"
        intro += "Results of `tally bench`: \(rows.count) runs of \(NotebookText.list(methods.map { "`\($0)`" }, empty: "no methods")) on \(datasets.count) data set\(datasets.count == 1 ? "" : "s"), "
        intro += "scored on each data set's gold tasks"
        if !stable, let date = results.run?.date { intro += ", run \(date)" }
        intro += ".\n\nSections: how the results were made · the accuracy table · accuracy\(stable ? "" : " and fit-time") charts · a cross-check with crowd-kit.\n"
        if let note { intro += "\n" + note + "\n" }
        nb.append(.markdown(intro, id: "title"))

        nb.append(.markdown(provenance(), id: "provenance"))

        nb.append(.markdown("## Accuracy\n\n" + BenchReport.markdown(rows, skipped: results.skipped), id: "accuracy-table"))
        nb.append(.code(loadSource(), outputs: [.executeResult(pivotBundle(rows), executionCount: 1)], executionCount: 1, id: "load-results"))

        if hasCategorical {
            nb.append(.markdown("## Accuracy chart\n\nEach dot is one method on one data set; hover for the numbers.\n", id: "accuracy-chart-title"))
            nb.append(.vegaLite(BenchCharts.accuracy(categoricalRows), id: "accuracy-chart", executionCount: 2))
        }
        for (i, chart) in kindCharts.enumerated() {
            let type = AnswerType.allCases.first { chart.name.hasPrefix($0.rawValue + "-") } ?? .numeric
            nb.append(.markdown("## \(type.rawValue.capitalized) data sets\n\n\(KindCharts.metric(type).title), per method and data set; hover for the numbers.\n", id: "\(type.rawValue)-chart-title"))
            nb.append(.vegaLite(chart.spec, id: "\(type.rawValue)-chart", executionCount: 10 + i))
        }

        if stable {
            nb.append(.markdown("## Fit time\n\nLeft out: this notebook was written with `--stable`, so that it depends only on the data. The times are in results.tsv (`seconds`, `peak_rss_mb`).\n", id: "time-chart-title"))
        } else {
            nb.append(.markdown("## Fit time\n\nThe median fit time over the repeats (reading the files not included), on a log scale.\n", id: "time-chart-title"))
            nb.append(.vegaLite(BenchCharts.fitTime(rows), id: "time-chart", executionCount: 3))
        }

        let mapped = Self.crowdKitClasses.filter { methods.contains($0.method) }
        let unmapped = methods.filter { m in !mapped.contains { $0.method == m } }
        var check = "## Cross-check with crowd-kit\n\n"
        check += "The next cells re-run the same methods with [crowd-kit](https://github.com/Toloka/crowd-kit)'s "
        check += "reference implementations, with their default parameters, on the same data, and put crowd-kit's accuracy beside Tally's. "
        check += "They need `pip install crowd-kit pandas` and the data sets folder (set `DATASETS` below if it has moved). "
        check += "results.tsv rounds Tally's accuracy to 4 decimals, so a difference below 0.00005 is agreement.\n"
        if !unmapped.isEmpty {
            check += "\nNo crowd-kit counterpart, so not re-run: \(NotebookText.list(unmapped.map { "`\($0)`" }, empty: "no methods")).\n"
        }
        nb.append(.markdown(check, id: "crosscheck-title"))
        nb.append(.code(crossCheckSetup(mapped), id: "crosscheck-setup"))
        nb.append(.code(Self.crossCheckRun, id: "crosscheck-run"))
        return nb
    }

    /// Distinct values in first-seen order.
    private func ordered(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    func provenance() -> String {
        var s = "## How these results were made\n\n"
        let data = NotebookText.commands(datasetCommands, stable: stable)
        if !data.isEmpty {
            s += "The data sets:\n\n" + NotebookText.shell(data) + "\nThe benchmark:\n\n"
        }
        if results.commands.isEmpty {
            s += "The results folder does not record its commands (it was written by an older `tally bench`).\n"
        } else {
            s += NotebookText.shell(NotebookText.commands(results.commands, stable: stable))
        }
        if stable, let run = results.run {
            s += "\n- tally \(run.tallyVersion)\n"
        } else if let run = results.run {
            s += "\n- tally \(run.tallyVersion)" + (run.gitCommit.map { ", commit `\($0)`" } ?? "") + "\n"
            s += "- run \(run.date), in `\(run.workingDirectory)`\n"
            s += "- data sets: `\(run.datasets)`\n"
        }
        if let reportCommand {
            s += "\nThis notebook:\n\n" + NotebookText.shell([reportCommand])
        }
        if stable { s += "\n" + NotebookText.stableNote + "\n" }
        return s
    }

    func loadSource() -> String {
        """
        from pathlib import Path

        import pandas as pd

        pd.options.display.float_format = "{:.4f}".format
        RESULTS = Path(\(NotebookText.pythonString(resultsPath)))
        results = pd.read_csv(RESULTS / "results.tsv", sep="\\t")
        results.pivot(index="dataset", columns="method", values="accuracy")
        """
    }

    /// The accuracy pivot as pandas shows it (data sets and methods sorted, 4 decimals, NaN for a
    /// method that did not run on a data set), in text and HTML.
    func pivotBundle(_ rows: [Bench.Row]) -> Notebook.MimeBundle {
        let methods = Set(rows.map(\.method)).sorted(), datasets = Set(rows.map(\.dataset)).sorted()
        var cell: [String: String] = [:]
        for r in rows { cell["\(r.dataset)\t\(r.method)"] = BenchReport.number(r.accuracy).replacingOccurrences(of: "nan", with: "NaN") }
        let values = datasets.map { d in methods.map { cell["\(d)\t\($0)"] ?? "NaN" } }

        let first = max("method".count, "dataset".count, datasets.map(\.count).max() ?? 0)
        let widths = methods.indices.map { j in max(methods[j].count, values.map { $0[j].count }.max() ?? 0) }
        func line(_ head: String, _ cells: [String]) -> String {
            (head.padding(toLength: first, withPad: " ", startingAt: 0) + zip(cells, widths).map { c, w in
                "  " + String(repeating: " ", count: max(0, w - c.count)) + c
            }.joined()).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var plain = [line("method", methods), line("dataset", [])]
        for (d, v) in zip(datasets, values) { plain.append(line(d, v)) }

        var html = "<div>\n<table border=\"1\" class=\"dataframe\">\n  <thead>\n"
        html += "    <tr style=\"text-align: right;\">\n      <th>method</th>\n" + methods.map { "      <th>\(Self.html($0))</th>\n" }.joined() + "    </tr>\n"
        html += "    <tr>\n      <th>dataset</th>\n" + methods.map { _ in "      <th></th>\n" }.joined() + "    </tr>\n  </thead>\n  <tbody>\n"
        for (d, v) in zip(datasets, values) {
            html += "    <tr>\n      <th>\(Self.html(d))</th>\n" + v.map { "      <td>\($0)</td>\n" }.joined() + "    </tr>\n"
        }
        html += "  </tbody>\n</table>\n</div>"
        return .table(plain: plain.joined(separator: "\n"), html: html)
    }

    func crossCheckSetup(_ mapped: [(method: String, className: String)]) -> String {
        var s = "# Tally's method names and the crowd-kit classes with the same algorithm.\n"
        s += NotebookText.crowdKitTable(mapped)
        s += "DATASETS = Path(\(NotebookText.pythonString(datasetsPath ?? results.run?.datasets ?? "datasets")))\n"
        s += #"""


        def read_labels(path, sep):
            """Reads a labels file as crowd-kit expects it: strings, made ints when all are integers."""
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_filter=False)
            frame = frame.rename(columns={"performer": "worker", "true_label": "label"})
            if len(frame) and frame["label"].map(lambda x: x.lstrip("-").isdigit() and str(int(x)) == x).all():
                frame["label"] = frame["label"].astype("int64")
            return frame


        def load(name):
            """A data set's answers (task, worker, label) and gold labels (by task), as the bench read them."""
            folder = DATASETS / name
            def existing(base):
                return folder / base if (folder / base).exists() else folder / (base + ".gz")  # pandas reads .gz
            if existing("crowd_labels.csv").exists():
                answers, gold = read_labels(existing("crowd_labels.csv"), ","), read_labels(existing("gt.csv"), ",")
            else:
                answers, gold = read_labels(existing("answers.tsv"), "\t"), read_labels(existing("gold.tsv"), "\t")
            return answers[["task", "worker", "label"]], gold.set_index("task")["label"]
        """#
        return s
    }

    static let crossCheckRun = #"""
        rows = []
        for (dataset, method), tally_accuracy in results.set_index(["dataset", "method"])["accuracy"].items():
            if method not in CROWDKIT:
                continue
            answers, gold = load(dataset)
            try:
                predicted = CROWDKIT[method]().fit_predict(answers)
            except Exception as error:  # e.g. a method crowd-kit cannot run on this data set
                rows.append({"dataset": dataset, "method": method, "tally": tally_accuracy, "crowdkit": float("nan"), "note": repr(error)})
                continue
            common = gold.index.intersection(predicted.index)
            accuracy = float((predicted.loc[common].astype(str) == gold.loc[common].astype(str)).mean())
            rows.append({"dataset": dataset, "method": method, "tally": tally_accuracy, "crowdkit": accuracy, "note": ""})
        crosscheck = pd.DataFrame(rows, columns=["dataset", "method", "tally", "crowdkit", "note"])
        crosscheck["difference"] = crosscheck["crowdkit"] - crosscheck["tally"]
        crosscheck
        """#

    static func html(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
