import Foundation
import TallyCore
@testable import TallyReports
import TallyTestSupport

/// The Python environment with nbformat and vl-convert-python that the notebook tests use
/// (made by scripts/setup-notebook-venv.sh): $TALLY_NOTEBOOK_VENV when set (and then only it),
/// else `.venv-notebook` beside the repository, else /work/.venv-notebook.
enum NotebookVenv {
    static let candidates: [String] = {
        if let env = ProcessInfo.processInfo.environment["TALLY_NOTEBOOK_VENV"], !env.isEmpty { return [env] }
        return [Repository.beside(".venv-notebook").path, "/work/.venv-notebook"]
    }()

    /// The venv's python, if one of the candidates has it.
    static let python: String? = candidates.map { $0 + "/bin/python" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    static let missing = "no notebook venv (looked for bin/python in \(candidates.joined(separator: ", "))); make one with scripts/setup-notebook-venv.sh or set TALLY_NOTEBOOK_VENV"

    struct Failed: Error, CustomStringConvertible {
        let status: Int32
        let output: String
        var description: String { "python exited \(status):\n\(output)" }
    }

    /// Runs `script` with the venv's python and `arguments`; returns stdout, throws with stderr
    /// on a non-zero exit.
    static func run(_ script: String, _ arguments: [String]) throws -> String {
        let dir = try makeTempDirectory("tally-py")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scriptURL = dir.appendingPathComponent("check.py"), outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        try Data(script.utf8).write(to: scriptURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python!)
        p.arguments = [scriptURL.path] + arguments
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        guard p.terminationStatus == 0 else { throw Failed(status: p.terminationStatus, output: stdout + stderr) }
        return stdout
    }

    /// Validates a notebook with `nbformat.validate` and renders every Vega-Lite output to a PNG
    /// in `pngDir` with vl-convert (Vega-Lite 5.21); prints one `cell-id<TAB>png-path` per chart.
    static let validateAndRender = #"""
        import json, sys
        import nbformat
        import vl_convert

        path, out = sys.argv[1], sys.argv[2]
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        assert nb.nbformat == 4 and nb.nbformat_minor == 5, (nb.nbformat, nb.nbformat_minor)
        nbformat.validate(nb)
        for cell in nb.cells:
            for n, output in enumerate(cell.get("outputs", [])):
                spec = output.get("data", {}).get("application/vnd.vegalite.v5+json")
                if spec is None:
                    continue
                png = vl_convert.vegalite_to_png(json.dumps(spec), vl_version="5.21")
                target = f"{out}/{cell.id}-{n}.png"
                with open(target, "wb") as f:
                    f.write(png)
                print(f"{cell.id}\t{target}")
        """#
}

/// Fixed bench rows (two data sets, three methods, one published value, a tie for best).
enum Sample {
    static func row(_ dataset: String, _ method: String, _ accuracy: Double, seconds: Double, best: Bool, published: Double? = nil, iterations: Int? = nil) -> Bench.Row {
        Bench.Row(dataset: dataset, method: method, answers: 1000, tasks: 100, goldTasks: 80, accuracy: accuracy, macroF1: accuracy - 0.05,
                  iterations: iterations, seconds: seconds, peakRSSMB: 40.25, best: best, published: published)
    }

    static let rows: [Bench.Row] = [
        row("alpha", "mv", 0.8125, seconds: 0.000123456, best: false, published: 0.81),
        row("alpha", "ds", 0.9, seconds: 0.0215, best: true, iterations: 12),
        row("alpha", "wawa", 0.85, seconds: 0.0004, best: false),
        row("beta", "mv", 2.0 / 3.0, seconds: 0.00005, best: true),
        row("beta", "ds", 2.0 / 3.0, seconds: 0.0031, best: true, iterations: 7),
        row("beta", "wawa", 0.6, seconds: 0, best: false),
    ]

    static let results = BenchResults(
        rows: rows, skipped: [Bench.Skipped(dataset: "gamma", reason: "96 distinct labels")],
        commands: ["cd /data", "tally bench --datasets sets --methods mv,ds,wawa --out bench"],
        run: BenchRun(date: "2026-01-02T03:04:05Z", tallyVersion: "0.1.0", gitCommit: "0123456789abcdef", workingDirectory: "/data", datasets: "/data/sets"))

    /// A hand-made simulator-study table: accuracy against cost for three overlaps.
    static func study() throws -> ChartTable {
        var rows: [[JSONValue]] = []
        for overlap in [1, 3, 5] {
            for (i, budget) in [100.0, 200.0, 400.0].enumerated() {
                let accuracy = 0.6 + 0.05 * Double(overlap) / 5 + 0.08 * Double(i)
                rows.append([.number(Double(overlap)), .number(budget * Double(overlap)), .rounded(accuracy, decimals: 4), "ds", .number(Double(i + 1))])
            }
        }
        return try ChartTable(columns: ["overlap", "cost", "accuracy", "method", "seed"], rows: rows)
    }
}
