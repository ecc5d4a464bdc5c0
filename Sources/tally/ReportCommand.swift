import ArgumentParser
import Foundation
import TallyCore
import TallyReports

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Turn a tally bench, simulate or study folder into a Jupyter notebook with tables and charts.",
        discussion: """
            RESULTS is a folder written by one of:
              tally bench     results.json (or results.tsv from an older bench) → a benchmark \
            notebook: the accuracy table (Markdown, and a pandas cell reloading results.tsv), \
            accuracy and fit-time charts, and cells that re-run the same methods in crowd-kit;
              tally simulate  summary.json, pool.json, qc_log.tsv (+ workers.tsv, tasks.tsv) → a \
            pool replay: the pool's settings and rules, workers and bans (the QC log), the cost \
            split, completion time, false-ban and spam-leak rates, accuracy by method; of a \
            question scenario (summary.json + dataset.json) → each method's metric (MAE, rank \
            correlation or WER) as a table and a chart;
              tally study     study.json → the study table and accuracy-versus-cost curves, one \
            line per value of the --series parameters (default: every varied parameter but \
            overlap), along the other.
            The kind is told by the files present. Every notebook (nbformat 4.5) shows the \
            commands that made the data (recorded in the folder) and the report command, and \
            holds its charts as Vega-Lite v5 outputs (JupyterLab and VS Code draw them; nothing \
            needs to run). --charts also writes the specs as .vl.json files.

            The same folder gives the same bytes, except what records the moment and the machine \
            (a bench's date, commit, folders and fit times); --stable leaves those out (and the \
            `cd` lines of the commands), so a notebook regenerated from the same data is byte \
            for byte the same. scripts/export-notebooks.sh uses it.

            Example:
              tally bench --datasets datasets/real --methods mv,ds --out bench
              tally report bench --notebook bench/report.ipynb --title "MV vs DS"
              tally simulate datasets/scenarios/audio-gender.json --seed 1 --out run
              tally report run --notebook run.ipynb --stable
            """
    )

    @Argument(help: "A folder written by tally bench, tally simulate or tally study.")
    var results: String

    @Option(help: "Where to write the notebook (.ipynb); its folder is made if missing.")
    var notebook: String

    @Option(help: "The notebook's title (default: by kind, e.g. \"Tally benchmark\").")
    var title: String?

    @Option(name: .customLong("note"), help: "Extra Markdown for the notebook's introduction.")
    var introNote: String?

    @Option(help: "A study's line parameters, comma-separated (default: every varied parameter but overlap).")
    var series: String?

    @Flag(help: "Leave out dates, commit ids, folders and timings, so that the notebook depends only on the data.")
    var stable = false

    @Option(help: "Also write the charts as Vega-Lite specs (NAME.vl.json) in this folder.")
    var charts: String?

    @OptionGroup var common: CommonOptions

    var quiet: Bool { common.quiet }

    func run() throws {
        try reportingErrors {
            let kind = try ReportFolder.kind(of: results)
            let cwd = FileManager.default.currentDirectoryPath
            let notebookDir = URL(fileURLWithPath: BenchRun.absolute(notebook, from: cwd)).deletingLastPathComponent().path
            let folderPath = Self.relativePath(from: notebookDir, to: BenchRun.absolute(results, from: cwd))
            let command = BenchRun.shellLine(["tally"] + CommandLine.arguments.dropFirst())
            let nb: Notebook
            let specs: [(name: String, spec: VegaLite)]
            let what: String
            switch kind {
            case .bench:
                let read = try BenchResults.read(folder: results)
                var builder = BenchNotebook(results: read, title: title ?? "Tally benchmark", resultsPath: folderPath, reportCommand: command)
                builder.stable = stable
                builder.note = introNote
                if let datasets = read.run?.datasets {
                    builder.datasetCommands = Self.datasetCommands(datasets, names: read.rows.map(\.dataset))
                    if stable { builder.datasetsPath = Self.relativePath(from: notebookDir, to: datasets) }
                }
                nb = builder.notebook()
                specs = builder.charts()
                what = "\(read.rows.count) results"
            case .simulation:
                let run = try SimulationRun.read(folder: results)
                let builder = ReplayNotebook(run: run, title: title, runPath: folderPath, runArgument: results, reportCommand: command, stable: stable, note: introNote)
                nb = builder.notebook()
                specs = builder.charts()
                what = "pool replay of \(run.summary["scenario"]?.stringValue ?? "a run")"
            case .questions:
                var builder = try QuestionNotebook.read(folder: results, runPath: folderPath, reportCommand: command)
                builder.title = title
                builder.stable = stable
                builder.note = introNote
                nb = builder.notebook()
                specs = builder.charts()
                what = "\(builder.type.rawValue) questions of \(builder.summary["name"]?.stringValue ?? "a run")"
            case .study:
                let study = try StudyResults.read(folder: results)
                let builder = StudyNotebook(
                    study: study, title: title, studyPath: folderPath, reportCommand: command, stable: stable, note: introNote,
                    series: series.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
                do {
                    nb = try builder.notebook()
                    specs = try builder.charts()
                } catch let e as ChartTable.Error {
                    throw InputError(.invalidValue, file: results + "/study.json", e.message)
                }
                what = "study of \(study.points.count) points"
            }
            try FileManager.default.createDirectory(atPath: notebookDir, withIntermediateDirectories: true)
            var outputs: [(bytes: [UInt8], path: String)] = [(Array(NotebookWriter.text(nb).utf8), notebook)]
            if let charts {
                try FileManager.default.createDirectory(atPath: charts, withIntermediateDirectories: true)
                outputs += specs.map { (Array($0.spec.serialized().utf8), charts + "/\($0.name).vl.json") }
            }
            try AtomicFile.write(outputs)
            note("\(what) → \(notebook)" + (charts.map { "; charts in \($0)" } ?? ""), quiet: quiet)
        }
    }

    /// The commands recorded by `tally simulate` in the data sets' summary.json files, if any.
    static func datasetCommands(_ datasets: String, names: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for name in names where seen.insert(name).inserted {
            let path = datasets + "/" + name + "/summary.json"
            guard let data = FileManager.default.contents(atPath: path), let json = try? JSONValue(parsing: data) else { continue }
            out += json["commands"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return out
    }

    /// `target` relative to `base` (both absolute, standardised), e.g. `../bench`; `.` for the same folder.
    static func relativePath(from base: String, to target: String) -> String {
        let b = URL(fileURLWithPath: base).standardizedFileURL.pathComponents
        let t = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < b.count && common < t.count && b[common] == t[common] { common += 1 }
        let parts = Array(repeating: "..", count: b.count - common) + t[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
