import Foundation
import TallyCore

/// The notebook `tally report` writes for a `tally simulate` run of pairwise, numeric or text
/// questions (a folder with summary.json and dataset.json, no pool.json): the run's counts, each
/// method's metrics against the simulated truth as a table, a chart of the kind's metric per
/// method, and a pandas cell that loads the answers and the truth.
public struct QuestionNotebook: Sendable {
    /// The run's summary.json.
    public var summary: JSONValue
    /// The notebook's heading (default: the kind and the scenario's name).
    public var title: String?
    /// The run folder as the notebook's Python cell opens it.
    public var runPath: String
    /// The command line that made the notebook, shown with the others.
    public var reportCommand: String?
    /// Leave out `cd` lines, so that the notebook depends only on the data.
    public var stable = false
    /// Extra Markdown for the introduction.
    public var note: String?

    /// Reads `folder/summary.json` of a question run.
    ///
    /// - Throws: ``InputError`` naming the file for a missing or malformed summary, or one
    ///   without `answer_type` and `methods` (not written by a question run).
    public static func read(folder: String, runPath: String, reportCommand: String? = nil) throws -> QuestionNotebook {
        let path = folder + "/summary.json"
        let s = try ReportFolder.readJSON(path, writtenBy: "`tally simulate` of a question scenario")
        guard let type = s["answer_type"]?.stringValue, AnswerType(rawValue: type) != nil, s["methods"]?.objectValue != nil else {
            throw InputError(.invalidJSON, file: path, field: "answer_type", "missing; expected summary.json of `tally simulate` with a question scenario (answer_type, methods)")
        }
        return QuestionNotebook(summary: s, runPath: runPath, reportCommand: reportCommand)
    }

    /// The kind of answers simulated.
    public var type: AnswerType { AnswerType(rawValue: summary["answer_type"]?.stringValue ?? "") ?? .numeric }

    /// Each method's metrics, by method name, sorted by name.
    var methods: [(name: String, metrics: [String: Double])] {
        (summary["methods"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { name, value in
            var m: [String: Double] = [:]
            for (k, v) in value.objectValue ?? [:] { if let d = v.doubleValue { m[k] = d } }
            return (name, m)
        }
    }

    /// The metric columns shown for this kind.
    var columns: [String] {
        switch type {
        case .numeric: return ["mae", "rmse"]
        case .pairwise: return ["kendall_tau", "spearman_rho"]
        case .text: return ["wer", "exact_match"]
        default: return ["accuracy"]
        }
    }

    /// The chart, by file name (for `--charts`).
    public func charts() -> [(name: String, spec: VegaLite)] {
        let field = KindCharts.metric(type).field == "score" ? "kendall_tau" : KindCharts.metric(type).field
        let scenario = summary["name"]?.stringValue ?? "a scenario"
        return [("\(type.rawValue)-methods", KindCharts.methods(methods.map { ($0.name, $0.metrics[field]) }, type: type, scenario: scenario))]
    }

    /// The notebook.
    public func notebook() -> Notebook {
        var nb = Notebook()
        let name = summary["name"]?.stringValue ?? "scenario"
        let count = { (k: String) in summary[k]?.intValue.map(String.init) ?? "?" }
        var intro = "# \(title ?? "Simulated \(type.rawValue) questions: \(name)")\n\n"
        intro += "`tally simulate` drew \(count("answers")) \(type.rawValue) answers to \(count("tasks")) questions"
        if type == .pairwise { intro += " (pairs of \(count("items")) items)" }
        intro += " from \(count("workers")) workers at overlap \(count("overlap")), seed \(count("seed")), and scored each method that takes \(type.rawValue) answers against the simulation's truth.\n"
        if let note { intro += "\n" + note + "\n" }
        nb.append(.markdown(intro, id: "title"))

        var how = "## How this run was made\n\n"
        let commands = NotebookText.commands(ReportFolder.strings(summary["commands"]), stable: stable)
        how += commands.isEmpty ? "The run does not record its command.\n" : NotebookText.shell(commands)
        how += NotebookText.provenanceEnd(reportCommand: reportCommand, stable: stable)
        nb.append(.markdown(how, id: "provenance"))

        let rows = methods.map { m in [m.name] + columns.map { NotebookText.number(m.metrics[$0]) } + [m.metrics["scored"].map { String(Int($0)) } ?? "—"] }
        var table = "## Methods\n\n" + NotebookText.table(["method"] + columns + ["scored"], rows, right: Set(1...(columns.count + 1)))
        if rows.isEmpty { table += "\nNo method was run (`--methods` named none that takes \(type.rawValue) answers).\n" }
        nb.append(.markdown(table, id: "methods-table"))
        for (i, c) in charts().enumerated() {
            nb.append(.vegaLite(c.spec, id: "chart-\(i + 1)", executionCount: i + 1))
        }
        let load = """
            from pathlib import Path

            import pandas as pd

            RUN = Path(\(NotebookText.pythonString(runPath)))
            answers = pd.read_csv(RUN / "answers.tsv", sep="\\t", keep_default_na=False)
            gold = pd.read_csv(RUN / "gold.tsv", sep="\\t", keep_default_na=False)
            workers = pd.read_csv(RUN / "workers.tsv", sep="\\t")
            workers.groupby("type").describe()
            """
        nb.append(.markdown("## The data\n\nThe answers, the truth and each worker's drawn parameters (needs `pip install pandas`).\n", id: "data-title"))
        nb.append(.code(load, id: "load-run"))
        return nb
    }
}
