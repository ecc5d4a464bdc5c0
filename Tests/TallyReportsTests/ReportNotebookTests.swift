import Foundation
import Testing
import TallyCore
@testable import TallyReports
import TallyTestSupport

@Suite("Report notebooks")
struct ReportNotebookTests {
    func parse(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    var benchNotebook: Notebook {
        BenchNotebook(results: Sample.results, title: "Sample bench", resultsPath: "../bench", reportCommand: "tally report bench --notebook nb/report.ipynb").notebook()
    }

    @Test("nbformat 4.5 layout: metadata, unique valid cell ids, sources as lines, outputs only on code cells")
    func structure() throws {
        let text = NotebookWriter.text(benchNotebook)
        #expect(text.hasSuffix("}\n"))
        let nb = try parse(text)
        #expect(nb["nbformat"] as? Int == 4 && nb["nbformat_minor"] as? Int == 5)
        let metadata = try #require(nb["metadata"] as? [String: Any])
        #expect((metadata["kernelspec"] as? [String: Any])?["name"] as? String == "python3")
        #expect((metadata["language_info"] as? [String: Any])?["name"] as? String == "python")
        let cells = try #require(nb["cells"] as? [[String: Any]])
        let ids = cells.compactMap { $0["id"] as? String }
        #expect(ids.count == cells.count && Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.range(of: "^[a-zA-Z0-9_-]{1,64}$", options: .regularExpression) != nil })
        for cell in cells {
            let type = try #require(cell["cell_type"] as? String)
            #expect(cell["metadata"] is [String: Any])
            let source = try #require(cell["source"] as? [String])
            #expect(source.dropLast().allSatisfy { $0.hasSuffix("\n") })
            if type == "code" {
                #expect(cell["outputs"] is [Any])
                #expect(cell.keys.contains("execution_count"))
            } else {
                #expect(type == "markdown")
                #expect(cell["outputs"] == nil && cell["execution_count"] == nil)
            }
        }
        // Charts are display_data with the Vega-Lite v5 MIME type (a JSON object) and a text fallback.
        let outputs = cells.flatMap { ($0["outputs"] as? [[String: Any]]) ?? [] }
        let charts = outputs.filter { ($0["data"] as? [String: Any])?[VegaLite.mimeType] != nil }
        #expect(charts.count == 2)
        for chart in charts {
            #expect(chart["output_type"] as? String == "display_data")
            let data = try #require(chart["data"] as? [String: Any])
            let spec = try #require(data[VegaLite.mimeType] as? [String: Any])
            #expect(spec["$schema"] as? String == VegaLite.schemaURL)
            #expect(data["text/plain"] is [String])
        }
        // The table: an execute_result with HTML and text.
        let table = try #require(outputs.first { $0["output_type"] as? String == "execute_result" })
        #expect(table["execution_count"] as? Int == 1)
        let plain = try #require((table["data"] as? [String: Any])?["text/plain"] as? [String])
        #expect(plain.joined() == "method       ds      mv    wawa\ndataset\nalpha    0.9000  0.8125  0.8500\nbeta     0.6667  0.6667  0.6000")
        #expect(((table["data"] as? [String: Any])?["text/html"] as? [String])?.joined().contains("<th>alpha</th>") == true)
    }

    @Test("bench notebook: commands, version, commit, tables, the pandas reload and the crowd-kit cross-check; same bytes twice")
    func benchContents() throws {
        let text = NotebookWriter.text(benchNotebook)
        #expect(text == NotebookWriter.text(benchNotebook))
        let nb = try parse(text)
        let cells = try #require(nb["cells"] as? [[String: Any]])
        func source(_ id: String) throws -> String {
            try #require((cells.first { $0["id"] as? String == id }?["source"] as? [String])?.joined(), "no cell \(id)")
        }
        #expect(try source("title").hasPrefix("# Sample bench\n"))
        let provenance = try source("provenance")
        #expect(provenance.contains("```sh\ncd /data\ntally bench --datasets sets --methods mv,ds,wawa --out bench\n```"))
        #expect(provenance.contains("tally 0.1.0, commit `0123456789abcdef`"))
        #expect(provenance.contains("2026-01-02T03:04:05Z"))
        #expect(provenance.contains("tally report bench --notebook nb/report.ipynb"))
        #expect(try source("accuracy-table").contains("| alpha | 0.8125 (0.810) | **0.9000** | 0.8500 |"))
        #expect(try source("accuracy-table").contains("- gamma: 96 distinct labels"))
        let load = try source("load-results")
        #expect(load.contains("RESULTS = Path(\"../bench\")"))
        #expect(load.contains("pd.read_csv(RESULTS / \"results.tsv\", sep=\"\\t\")"))
        let setup = try source("crosscheck-setup")
        #expect(setup.contains("from crowdkit.aggregation import DawidSkene, MajorityVote, Wawa\n"))
        #expect(setup.contains("    \"mv\": MajorityVote,\n    \"wawa\": Wawa,\n    \"ds\": DawidSkene,\n"))
        #expect(setup.contains("DATASETS = Path(\"/data/sets\")"))
        #expect(try source("crosscheck-run").contains("fit_predict(answers)"))
        // The cross-check cells are not run: no outputs, no execution count.
        let run = try #require(cells.first { $0["id"] as? String == "crosscheck-run" })
        #expect((run["outputs"] as? [Any])?.isEmpty == true && run["execution_count"] is NSNull)
    }

    @Test("every method with a crowd-kit class maps to it; methods without one are named, not imported")
    func crowdKitMapping() throws {
        #expect(BenchNotebook.crowdKitClasses.map(\.method) == ["mv", "wawa", "zbs", "ds", "onecoin-ds", "glad", "mace", "kos", "mmsr"])
        // Every method with a crowd-kit class and no gold is re-run; ibcc has no crowd-kit counterpart.
        for m in BenchMethod.all {
            #expect(BenchNotebook.crowdKitClasses.contains { $0.method == m.name } == (m.descriptor.crowdKitClass != nil), "\(m.name)")
        }
        #expect(BenchMethod.all.first { $0.name == "ibcc" }?.descriptor.crowdKitClass == nil)
        var results = Sample.results
        results.rows.append(Sample.row("alpha", "gold-mv", 0.9, seconds: 0.1, best: false))
        let nb = BenchNotebook(results: results, resultsPath: ".").notebook()
        let title = try #require(nb.cells.first { $0.id == "crosscheck-title" })
        #expect(title.source.contains("not re-run: `gold-mv`"))
        #expect(!(nb.cells.first { $0.id == "crosscheck-setup" }?.source.contains("gold-mv") ?? true))
    }

    @Test("cell ids: missing ones numbered, invalid characters replaced, repeats made unique")
    func cellIDs() {
        let cells: [Notebook.Cell] = [.markdown("a"), .markdown("b", id: "x y/z"), .markdown("c", id: "x-y-z"), .code("d", id: ""), .markdown("e", id: String(repeating: "k", count: 80))]
        let ids = NotebookWriter.cellIDs(cells)
        #expect(ids == ["cell-1", "x-y-z", "x-y-z-2", "cell-4", String(repeating: "k", count: 56)])
    }

    @Test("a reusable notebook: markdown, code with a stream and a chart, text split into lines")
    func generic() throws {
        let chart = try CostCurveChart(series: "overlap").spec(try Sample.study())
        var nb = Notebook()
        nb.append(.markdown("# Study\n\nTwo lines.\n"))
        nb.append(.code("print('hi')", outputs: [.stream(name: "stdout", text: "hi\n")], executionCount: 1))
        nb.append(.vegaLite(chart, id: "study", executionCount: 2, embedSource: false))
        let json = NotebookWriter.json(nb)
        #expect(json["cells"]?.arrayValue?[0]["source"] == ["# Study\n", "\n", "Two lines.\n"])
        #expect(json["cells"]?.arrayValue?[1]["outputs"]?.arrayValue?[0]["text"] == ["hi\n"])
        let study = try #require(json["cells"]?.arrayValue?[2])
        #expect(study["source"]?.arrayValue?.count == 1)
        #expect(study["outputs"]?.arrayValue?[0]["data"]?[VegaLite.mimeType] == chart.json)
    }

    @Test("NotebookWriter.write replaces a file atomically and leaves no temporary files")
    func writeFile() throws {
        let dir = try makeTempDirectory("tally-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("n.ipynb").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        try NotebookWriter.write(benchNotebook, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == NotebookWriter.text(benchNotebook))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["n.ipynb"])
    }

    @Test("results folder read back: JSON with commands, TSV fallback, clear errors for a bad folder")
    func readResults() throws {
        let dir = try makeTempDirectory("tally-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = try BenchReport.json(Sample.rows, skipped: Sample.results.skipped, commands: Sample.results.commands, run: Sample.results.run)
        #expect(json.contains("\"commands\""))
        let withJSON = dir.appendingPathComponent("json"), withTSV = dir.appendingPathComponent("tsv")
        try FileManager.default.createDirectory(at: withJSON, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: withTSV, withIntermediateDirectories: true)
        try Data(json.utf8).write(to: withJSON.appendingPathComponent("results.json"))
        #expect(try BenchResults.read(folder: withJSON.path) == Sample.results)

        try Data(BenchReport.tsv(Sample.rows).utf8).write(to: withTSV.appendingPathComponent("results.tsv"))
        let fromTSV = try BenchResults.read(folder: withTSV.path)
        #expect(fromTSV.rows.map(\.method) == Sample.rows.map(\.method))
        #expect(fromTSV.rows[0].published == 0.81 && fromTSV.rows[1].iterations == 12 && fromTSV.rows[0].iterations == nil)
        #expect(fromTSV.rows[3].accuracy == 0.6667 && fromTSV.rows[4].best)
        #expect(fromTSV.commands.isEmpty && fromTSV.run == nil)

        // Results from before `commands` existed still read.
        try Data(#"{"results": [], "skipped": []}"#.utf8).write(to: withJSON.appendingPathComponent("results.json"))
        #expect(try BenchResults.read(folder: withJSON.path) == BenchResults(rows: []))

        func error(_ folder: String) -> InputError? {
            do { _ = try BenchResults.read(folder: folder); return nil } catch { return error as? InputError }
        }
        let missing = dir.appendingPathComponent("nope").path
        #expect(error(missing) == InputError(.fileNotFound, file: missing, "no such folder; expected a folder written by `tally bench` (results.json, results.tsv)"))
        let file = withJSON.appendingPathComponent("results.json").path
        #expect(error(file)?.message.hasPrefix("is a file, not a folder") == true)
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(error(empty.path)?.file == empty.path + "/results.json")
        #expect(error(empty.path)?.code == .fileNotFound)

        try Data(#"{"results": [{"dataset": "a"}], "skipped": []}"#.utf8).write(to: withJSON.appendingPathComponent("results.json"))
        let bad = try #require(error(withJSON.path))
        #expect(bad.code == .invalidJSON && bad.file == file)
        #expect(bad.description.contains("results[0].method") && bad.description.contains("missing key 'method'"), "\(bad)")
        try Data("{not json".utf8).write(to: withJSON.appendingPathComponent("results.json"))
        #expect(error(withJSON.path)?.message.hasPrefix("not valid JSON") == true)

        try Data("dataset\tmethod\n".utf8).write(to: withTSV.appendingPathComponent("results.tsv"))
        #expect(error(withTSV.path)?.code == .missingColumn)
    }

    @Test(
        "nbformat.validate accepts the notebooks; vl-convert renders every chart to a PNG",
        .enabled(if: NotebookVenv.python != nil, Comment(rawValue: NotebookVenv.missing)))
    func validateAndRender() throws {
        let dir = try makeTempDirectory("tally-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        var study = Notebook()
        study.append(.markdown("# Study"))
        study.append(.vegaLite(try CostCurveChart(series: "overlap").spec(try Sample.study()), id: "study"))
        var rendered: [String] = []
        for (name, nb) in [("bench", benchNotebook), ("study", study)] {
            let path = dir.appendingPathComponent("\(name).ipynb").path
            try NotebookWriter.write(nb, to: path)
            let out = try NotebookVenv.run(NotebookVenv.validateAndRender, [path, dir.path])
            for line in out.split(separator: "\n") {
                let parts = line.split(separator: "\t")
                let png = try Data(contentsOf: URL(fileURLWithPath: String(parts[1])))
                #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(parts[0]) is not a PNG")
                #expect(png.count > 10_000, "\(parts[0]): \(png.count) bytes")
                rendered.append(String(parts[0]))
            }
        }
        #expect(rendered == ["accuracy-chart", "time-chart", "study"])
    }

    @Test(
        "notebooks-export/: every notebook validates with nbformat and every chart renders to a PNG with vl-convert",
        .enabled(if: NotebookVenv.python != nil, Comment(rawValue: NotebookVenv.missing)))
    func validateAndRenderExports() throws {
        let dir = try makeTempDirectory("tally-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = [
            "bench-scenarios": ["accuracy-chart"],
            "audio-gender-replay": ["workers-chart", "completion-chart", "accuracy-chart"],
            "golden-set-study": ["accuracy-mv-vs-cost", "accuracy-ds-vs-cost", "false-ban-rate-vs-cost"],
        ]
        for (name, charts) in expected.sorted(by: { $0.key < $1.key }) {
            let path = Repository.file("notebooks-export/\(name).ipynb").path
            let out = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let lines = try NotebookVenv.run(NotebookVenv.validateAndRender, [path, out.path]).split(separator: "\n")
            #expect(lines.map { String($0.split(separator: "\t")[0]) } == charts, "\(name)")
            for line in lines {
                let png = try Data(contentsOf: URL(fileURLWithPath: String(line.split(separator: "\t")[1])))
                #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47] && png.count > 5_000, "\(name): \(line)")
            }
        }
    }
}
