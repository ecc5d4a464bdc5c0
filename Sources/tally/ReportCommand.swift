import ArgumentParser
import Foundation
import TallyCore
import TallyReports

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Turn a tally bench results folder into a Jupyter notebook with tables and charts.",
        discussion: """
            RESULTS is a folder written by `tally bench` (results.json, or results.tsv from an \
            older bench). The notebook (nbformat 4.5) holds: the commands, tally version, commit \
            and date that made the results; the accuracy table, as Markdown and as a pandas cell \
            that reloads results.tsv; accuracy and fit-time charts as Vega-Lite v5 outputs \
            (JupyterLab and VS Code draw them; nothing needs to run); and cells that re-run the \
            same methods in crowd-kit for a cross-check. --charts also writes the chart specs \
            as .vl.json files. The same results give the same bytes.

            Example:
              tally bench --datasets ../shared/datasets --methods mv,ds --out bench
              tally report bench --notebook bench/report.ipynb --title "MV vs DS"
            """
    )

    @Argument(help: "A folder written by tally bench.")
    var results: String

    @Option(help: "Where to write the notebook (.ipynb); its folder is made if missing.")
    var notebook: String

    @Option(help: "The notebook's title.")
    var title: String = "Tally benchmark"

    @Option(help: "Also write the charts as Vega-Lite specs (accuracy.vl.json, fit-time.vl.json) in this folder.")
    var charts: String?

    @Flag(name: .shortAndLong, help: "Print nothing on stderr but errors.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            let read = try BenchResults.read(folder: results)
            let cwd = FileManager.default.currentDirectoryPath
            let notebookDir = URL(fileURLWithPath: BenchRun.absolute(notebook, from: cwd)).deletingLastPathComponent().path
            let builder = BenchNotebook(
                results: read, title: title,
                resultsPath: Self.relativePath(from: notebookDir, to: BenchRun.absolute(results, from: cwd)),
                reportCommand: BenchRun.shellLine(["tally"] + CommandLine.arguments.dropFirst()))
            try FileManager.default.createDirectory(atPath: notebookDir, withIntermediateDirectories: true)
            var outputs: [(bytes: [UInt8], path: String)] = [(Array(NotebookWriter.text(builder.notebook()).utf8), notebook)]
            if let charts {
                try FileManager.default.createDirectory(atPath: charts, withIntermediateDirectories: true)
                outputs.append((Array(BenchCharts.accuracy(read.rows).serialized().utf8), charts + "/accuracy.vl.json"))
                outputs.append((Array(BenchCharts.fitTime(read.rows).serialized().utf8), charts + "/fit-time.vl.json"))
            }
            try AtomicFile.write(outputs)
            note("\(read.rows.count) results → \(notebook)" + (charts.map { "; charts in \($0)" } ?? ""), quiet: quiet)
        }
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
