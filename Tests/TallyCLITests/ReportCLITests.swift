import Foundation
import Testing
import TallyTestSupport

@Suite("tally report")
struct ReportCLITests {
    /// A data set folder holding a copy of the toy set.
    func toyDatasets(in dir: URL) throws -> URL {
        let sets = dir.appendingPathComponent("sets/toy")
        try FileManager.default.createDirectory(at: sets, withIntermediateDirectories: true)
        for f in ["answers.tsv", "gold.tsv"] {
            try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("datasets/toy/\(f)"), to: sets.appendingPathComponent(f))
        }
        return sets.deletingLastPathComponent()
    }

    @Test("bench records its command line; report turns the folder into a notebook, the same bytes twice")
    func benchThenReport() throws {
        try withTempDirectory { dir in
            _ = try toyDatasets(in: dir)
            let bench = try CLI.run(["bench", "--datasets", "sets", "--methods", "mv,ds", "--out-dir", "bench", "-q"], in: dir)
            #expect(bench.status == 0, "stderr: \(bench.stderr)")
            let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("bench/results.json"))) as? [String: Any])
            let commands = try #require(results["commands"] as? [String])
            #expect(commands.count == 2)
            #expect(commands.first?.hasPrefix("cd ") == true)
            #expect(commands.last == "tally bench --datasets sets --methods mv,ds --out-dir bench -q")
            let run = try #require(results["run"] as? [String: Any])
            #expect(run["tallyVersion"] as? String == "0.1.0")
            #expect((run["datasets"] as? String)?.hasSuffix("/sets") == true)
            #expect((run["date"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil)

            let first = try CLI.run(["report", "bench", "--notebook", "nb/report.ipynb", "--title", "Toy", "--charts", "charts", "-q"], in: dir)
            #expect(first.status == 0, "stderr: \(first.stderr)")
            let bytes = try Data(contentsOf: dir.appendingPathComponent("nb/report.ipynb"))
            let second = try CLI.run(["report", "bench", "--notebook", "nb/report.ipynb", "--title", "Toy", "--charts", "charts", "-q"], in: dir)
            #expect(second.status == 0)
            #expect(try Data(contentsOf: dir.appendingPathComponent("nb/report.ipynb")) == bytes)

            let nb = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
            #expect(nb["nbformat"] as? Int == 4 && nb["nbformat_minor"] as? Int == 5)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("\"# Toy\\n\""))
            #expect(text.contains("tally bench --datasets sets --methods mv,ds --out-dir bench -q"))
            #expect(text.contains("RESULTS = Path(\\\"../bench\\\")"), "the results folder relative to the notebook")
            #expect(text.contains("application/vnd.vegalite.v5+json"))
            #expect(try listing(dir.appendingPathComponent("charts")) == ["accuracy.vl.json", "fit-time.vl.json"])
            #expect(try listing(dir.appendingPathComponent("nb")) == ["report.ipynb"])
        }
    }

    @Test("a missing results folder: non-zero exit, the path named, nothing written")
    func missingFolder() throws {
        try withTempDirectory { dir in
            let out = try CLI.run(["report", "no-such-bench", "--notebook", "r.ipynb"], in: dir)
            #expect(out.status == 66)
            #expect(out.stderr == "tally: error: no-such-bench: no such folder; expected a folder written by `tally bench` (results.json, results.tsv)\n")
            #expect(try listing(dir).isEmpty)
        }
    }

    @Test("a folder without results, a file for the folder, bad results.json: non-zero exit naming the file")
    func badFolder() throws {
        try withTempDirectory { dir in
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
            let empty = try CLI.run(["report", "empty", "--notebook", "r.ipynb"], in: dir)
            #expect(empty.status == 66)
            #expect(empty.stderr.hasPrefix("tally: error: empty/results.json: missing (and no results.tsv beside it)"), "\(empty.stderr)")

            try writeFile(dir, "file", "x")
            let file = try CLI.run(["report", "file", "--notebook", "r.ipynb"], in: dir)
            #expect(file.status == 65)
            #expect(file.stderr.hasPrefix("tally: error: file: is a file, not a folder"), "\(file.stderr)")

            try FileManager.default.createDirectory(at: dir.appendingPathComponent("bad"), withIntermediateDirectories: true)
            try writeFile(dir, "bad/results.json", #"{"results": 3}"#)
            try writeFile(dir, "r.ipynb", "keep")
            let bad = try CLI.run(["report", "bad", "--notebook", "r.ipynb"], in: dir)
            #expect(bad.status == 65)
            #expect(bad.stderr.hasPrefix("tally: error: bad/results.json: field 'results': wrong type"), "\(bad.stderr)")
            #expect(readText(dir, "r.ipynb") == "keep", "a failed report leaves an existing notebook alone")
        }
    }
}
