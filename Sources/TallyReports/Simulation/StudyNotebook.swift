import Foundation
import TallyCore

/// The notebook `tally report` writes for a `tally study` folder: the table (means ± standard
/// deviations over seeds), accuracy-versus-cost curves for each method and
/// a false-ban-rate-versus-cost chart, the commands, and pandas cells reloading study.tsv and
/// runs.tsv. Depends only on study.json, so the same study gives the same bytes.
///
/// The curves run along the *sweep* parameter (`overlap` when varied, else the first), one line
/// per value of the *series* parameters (by default every other varied parameter; several make
/// one combined `setting` label).
public struct StudyNotebook: Sendable {
    /// The study the notebook shows.
    public var study: StudyResults
    /// The notebook's title (by default "Study: " and the scenario's name).
    public var title: String
    /// The study folder as the notebook's Python cells open it (relative to the notebook).
    public var studyPath: String
    /// The `tally report` command that wrote the notebook, shown in it when given.
    public var reportCommand: String?
    /// Leave out what depends on the machine (the `cd` lines).
    public var stable: Bool
    /// Extra Markdown for the introduction.
    public var note: String?
    /// The parameters whose values make separate lines; `nil` for the default.
    public var series: [String]?

    /// A notebook for `study`, read from the folder `studyPath` (relative to the notebook); the other
    /// settings as their properties describe.
    public init(study: StudyResults, title: String? = nil, studyPath: String, reportCommand: String? = nil, stable: Bool = false, note: String? = nil, series: [String]? = nil) {
        self.study = study
        self.title = title ?? "Study" + (study.scenario.map { ": \(Self.scenarioName($0))" } ?? "")
        self.studyPath = studyPath
        self.reportCommand = reportCommand
        self.stable = stable
        self.note = note
        self.series = series
    }

    static func scenarioName(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// What each study parameter changes (as `tally study --help` says).
    static let meanings: [String: String] = [
        "overlap": "answers per task (overlap)",
        "real_per_suite": "general tasks per suite",
        "golden_per_suite": "control (golden) tasks per suite: the control share",
        "training_per_suite": "training tasks per suite",
        "reward": "reward per assignment (USD)",
        "history_size": "history size of the rules' collectors",
        "golden_threshold": "the golden-set rule's threshold (% correct at or below which a worker is banned)",
        "fast_threshold": "seconds under which a submit counts as fast",
        "golden_tasks": "control tasks in the pool",
        "tasks": "general tasks in the pool",
        "arrivals_per_hour": "workers arriving per hour",
        "max_overlap": "dynamic overlap's maximum",
        "min_confidence": "dynamic overlap's confidence target",
        "spammer_share": "share of spammers among arrivals",
    ]

    /// The sweep parameter and the series parameters.
    func axes() throws -> (sweep: String?, series: [String]) {
        let p = study.parameters
        if let series {
            for s in series where !p.contains(s) {
                throw ChartTable.Error(message: "--series \(s): not a varied parameter of this study; it varied \(NotebookText.list(p.map { "'\($0)'" }))")
            }
            return (p.first { !series.contains($0) }, series)
        }
        let sweep = p.contains("overlap") ? "overlap" : p.first
        return (sweep, p.filter { $0 != sweep })
    }

    func point(_ p: [String: JSONValue], _ key: String) -> Double? { p[key]?.doubleValue }

    /// The chart table: the parameters, the series label when several, then the means.
    func table() throws -> (table: ChartTable, series: String?) {
        let (_, seriesNames) = try axes()
        var columns = study.parameters
        let label = seriesNames.count > 1 ? "setting" : nil
        if let label { columns.append(label) }
        let metrics = study.methods.map { "accuracy_\($0)" } + ["cost", "cost_per_task", "hours", "false_ban_rate", "spam_leak_rate", "banned"]
        columns += metrics
        let rows: [[JSONValue]] = study.points.map { p in
            var r: [JSONValue] = study.parameters.map { .number(point(p, $0)) }
            if label != nil {
                r.append(.string(seriesNames.map { "\($0)=\(NotebookText.value(point(p, $0)))" }.joined(separator: ", ")))
            }
            r += metrics.map { .rounded(point(p, $0 + "_mean"), significant: 4) }
            return r
        }
        return (try ChartTable(columns: columns, rows: rows), label ?? seriesNames.first)
    }

    /// The charts: accuracy versus cost per method, then the false-ban rate versus cost.
    public func charts() throws -> [(name: String, spec: VegaLite)] {
        let (table, series) = try table()
        let (sweep, _) = try axes()
        let along = sweep.map { ", along \($0)" } ?? ""
        /// A cost curve of the mean of `y` over seeds, one line per series value.
        func curve(_ y: String, title: String, yTitle: String, subtitleEnd: String, description: String) throws -> VegaLite {
            var spec = try CostCurveChart(
                x: "cost", y: y, series: series, title: title, xTitle: "cost, USD (mean over seeds)", yTitle: yTitle).spec(table)
            spec.title?.subtitle = (series.map { "One line per \($0)" } ?? "One line") + along + subtitleEnd
            spec.description = description
            spec.encoding?.color?.legend = ["labelLimit": 360]
            return spec
        }
        var out: [(String, VegaLite)] = try study.methods.map { m in
            ("accuracy-\(m)-vs-cost", try curve(
                "accuracy_\(m)", title: "Accuracy (\(m)) versus cost", yTitle: "accuracy of \(m) (mean over seeds)", subtitleEnd: ".",
                description: "Accuracy of \(m) against the pool's cost at each point of a tally study."))
        }
        out.append(("false-ban-rate-vs-cost", try curve(
            "false_ban_rate", title: "False-ban rate versus cost", yTitle: "banned workers who were good (mean over seeds)",
            subtitleEnd: "; points without bans are left out.",
            description: "Share of banned workers who were good against the pool's cost at each point of a tally study.")))
        return out
    }

    /// Builds the notebook.
    /// - Throws: ``ChartTable/Error`` when the study's points do not make a chart table (for example
    ///   a `series` parameter that was not varied).
    public func notebook() throws -> Notebook {
        var nb = Notebook()
        let (sweep, seriesNames) = try axes()
        var intro = "# \(title)\n\n"
        intro += "A `tally study`: the pool simulator run at every combination of "
        intro += NotebookText.list(study.parameters.map { p in "`\(p)` (\(Self.meanings[p] ?? p); \(NotebookText.list(values(p).map { NotebookText.value($0) })))" })
        intro += ", \(study.points.count) points"
        if let seeds = study.seeds { intro += " × \(seeds) seed\(seeds == 1 ? "" : "s") = \(study.points.count * seeds) runs" }
        if let scenario = study.scenario { intro += ", on the `\(Self.scenarioName(scenario))` scenario" }
        intro += ". Each point reports the mean (± standard deviation over seeds) of each aggregation method's accuracy, the cost, the completion time, the false-ban and spam-leak rates.\n"
        nb.appendOpening(intro, note: note, provenance: provenance())
        nb.append(.markdown(tableSection(), id: "table"))
        nb.append(.code(loadSource(), id: "load-study"))
        var curves = "## Accuracy versus cost\n\n"
        if let sweep {
            curves += "Each line follows `\(sweep)` upwards (cost grows with it)"
            curves += seriesNames.isEmpty ? ".\n" : "; one line per value of \(NotebookText.list(seriesNames.map { "`\($0)`" })). Hover a point for every column.\n"
        }
        if seriesNames.contains("golden_threshold") && study.parameters.contains("golden_per_suite") {
            curves += "\nWith no control tasks (`golden_per_suite=0`) the golden-set rule never fires, so its threshold changes nothing and those lines coincide.\n"
        }
        nb.append(.markdown(curves, id: "curves-title"))
        let charts = try self.charts()
        for (n, c) in charts.enumerated() {
            if n == charts.count - 1 {
                nb.append(.markdown("## The price of stricter rules\n\nThe share of banned workers who were in fact good, against the cost: a stricter threshold or more control tasks catch more spammers but also ban more good workers.\n", id: "bans-title"))
            }
            nb.append(.vegaLite(c.spec, id: c.name, executionCount: n + 1))
        }
        return nb
    }

    /// The distinct values of a parameter, ascending.
    func values(_ p: String) -> [Double] {
        Set(study.points.compactMap { point($0, p) }).sorted()
    }

    func provenance() -> String {
        var s = "## How this study was made\n\n"
        let commands = NotebookText.commands(study.commands, stable: stable)
        s += commands.isEmpty ? "The study folder does not record its command (it was written by an older `tally study`).\n" : NotebookText.shell(commands)
        s += "\nThe same command gives the same tables byte for byte (each run's seed is fixed; runs in parallel each fill their own slot).\n"
        return s + NotebookText.provenanceEnd(reportCommand: reportCommand, stable: stable)
    }

    func tableSection() -> String {
        var s = "## The table\n\nMean ± standard deviation over seeds (study.tsv; each run in runs.tsv).\n\n"
        func cell(_ p: [String: JSONValue], _ metric: String, _ format: (Double) -> String) -> String {
            guard let mean = point(p, metric + "_mean") else { return "—" }
            return format(mean) + (point(p, metric + "_sd").map { " ± " + format($0) } ?? "")
        }
        let three = { (x: Double) in NotebookText.number(x, 3) }
        let header = study.parameters + study.methods.map { "accuracy \($0)" } + ["cost (USD)", "cost per task", "hours", "false-ban rate", "spam leak", "banned"]
        let rows: [[String]] = study.points.map { p in
            study.parameters.map { NotebookText.value(point(p, $0)) }
                + study.methods.map { cell(p, "accuracy_\($0)", three) }
                + [cell(p, "cost", three), cell(p, "cost_per_task", { NotebookText.number($0, 4) }), cell(p, "hours", { NotebookText.number($0, 2) }),
                   cell(p, "false_ban_rate", three), cell(p, "spam_leak_rate", three), cell(p, "banned", { NotebookText.number($0, 1) })]
        }
        s += NotebookText.table(header, rows, right: Set(header.indices))
        return s
    }

    func loadSource() -> String {
        let params = study.parameters.map(NotebookText.pythonString).joined(separator: ", ")
        let means = (study.methods.map { "accuracy_\($0)" } + ["cost", "false_ban_rate", "spam_leak_rate"]).map { NotebookText.pythonString($0 + "_mean") }.joined(separator: ", ")
        return """
            # Not run: reload the study (made by the commands above; set STUDY if it has moved).
            from pathlib import Path

            import pandas as pd

            STUDY = Path(\(NotebookText.pythonString(studyPath)))
            study = pd.read_csv(STUDY / "study.tsv", sep="\\t")
            runs = pd.read_csv(STUDY / "runs.tsv", sep="\\t")  # one row per run (seed)
            study.set_index([\(params)])[[\(means)]]
            """
    }
}
