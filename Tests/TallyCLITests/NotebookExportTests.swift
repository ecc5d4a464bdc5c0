import Foundation
import Testing
import TallyTestSupport

/// notebooks-export/ is what scripts/export-notebooks.sh makes, byte for byte, and tally report
/// reads simulate and study folders.
@Suite("Notebook exports and simulation reports")
struct NotebookExportTests {
    static let notebooks = ["bench-scenarios.ipynb", "audio-gender-replay.ipynb", "golden-set-study.ipynb"]

    @Test("scripts/export-notebooks.sh regenerates notebooks-export/ byte for byte")
    func exportsAreCurrent() throws {
        try withTempDirectory { dir in
            let script = Repository.root.appendingPathComponent("scripts/export-notebooks.sh").path
            let out = dir.appendingPathComponent("out")
            // The script runs the binary given as TALLY ("$0" of the shell) instead of building one.
            let r = try CLI.runShell("TALLY=\"$0\" exec bash \"$1\" \"$2\"", [script, out.path], in: dir)
            #expect(r.status == 0, "export-notebooks.sh failed: \(r.stderr)")
            for name in Self.notebooks {
                let committed = Repository.root.appendingPathComponent("notebooks-export/\(name)")
                let fresh = try Data(contentsOf: out.appendingPathComponent(name))
                let old = FileManager.default.contents(atPath: committed.path)
                #expect(old == fresh, "notebooks-export/\(name) is out of date: run scripts/export-notebooks.sh and commit the result (first difference at byte \(Self.firstDifference(old ?? Data(), fresh)))")
            }
            #expect(try listing(out) == Self.notebooks.sorted(), "no temporary files left")
        }
    }

    static func firstDifference(_ a: Data, _ b: Data) -> Int {
        zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }

    @Test("simulate and study record their command lines; report makes a replay and a study notebook from them")
    func simulateAndStudyReports() throws {
        try withTempDirectory { dir in
            let scenario = Repository.root.appendingPathComponent("datasets/scenarios/audio-gender.json").path
            let sim = try CLI.run(["simulate", scenario, "--seed", "2", "--out-dir", "run", "-q"], in: dir)
            #expect(sim.status == 0, "\(sim.stderr)")
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("run/summary.json"))) as? [String: Any])
            let commands = try #require(summary["commands"] as? [String])
            #expect(commands.first?.hasPrefix("cd ") == true)
            #expect(commands.last == "tally simulate \(scenario) --seed 2 --out-dir run -q")
            #expect((summary["aggregators"] as? [String: Double])?["ds"] != nil, "the summary is otherwise as before")

            let replay = try CLI.run(["report", "run", "--notebook", "nb/replay.ipynb", "--stable", "--charts", "charts"], in: dir)
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(replay.stderr.contains("pool replay of audio-gender"))
            let text = try #require(readText(dir, "nb/replay.ipynb"))
            #expect(text.contains("# Pool replay: audio-gender"))
            #expect(text.contains("tally simulate \(scenario) --seed 2 --out-dir run -q"))
            #expect(!text.contains("cd \(dir.path)") && !text.contains(dir.path), "--stable leaves out the folder")
            #expect(text.contains("tally qc replay run/export.tsv --rules run/pool.json --gold run/gold.tsv"))
            #expect(text.contains("RUN = Path(\\\"../run\\\")"))
            #expect(try listing(dir.appendingPathComponent("charts")) == ["accuracy.vl.json", "completion.vl.json", "workers.vl.json"])

            let study = try CLI.run(["study", scenario, "--vary", "overlap=1..2", "--vary", "golden_threshold=60,80", "--seeds", "2", "--methods", "mv", "--out-dir", "study", "-q"], in: dir)
            #expect(study.status == 0, "\(study.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("study/study.json"))) as? [String: Any])
            #expect((json["commands"] as? [String])?.last?.hasPrefix("tally study \(scenario) --vary overlap=1..2") == true)
            #expect(json["methods"] as? [String] == ["mv"] && json["seeds"] as? Int == 2)
            let report = try CLI.run(["report", "study", "--notebook", "study.ipynb"], in: dir)
            #expect(report.status == 0, "\(report.stderr)")
            let nb = try #require(readText(dir, "study.ipynb"))
            #expect(nb.contains("Accuracy (mv) versus cost") && nb.contains("One line per golden_threshold, along overlap."))
            #expect(nb.contains("cd "), "without --stable the cd line stays")
            let bad = try CLI.run(["report", "study", "--notebook", "s2.ipynb", "--series", "reward"], in: dir)
            #expect(bad.status == 65)
            #expect(bad.stderr.contains("--series reward: not a varied parameter"), "\(bad.stderr)")
        }
    }

    @Test("a folder that is none of bench, simulate or study: all three named")
    func unknownFolder() throws {
        try withTempDirectory { dir in
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("x"), withIntermediateDirectories: true)
            try writeFile(dir, "x/answers.tsv", "task\tworker\tlabel\n")
            let r = try CLI.run(["report", "x", "--notebook", "x.ipynb"], in: dir)
            #expect(r.status == 66)
            #expect(r.stderr.contains("summary.json") && r.stderr.contains("study.json") && r.stderr.contains("`tally simulate`"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.ipynb").path))
        }
    }
}
