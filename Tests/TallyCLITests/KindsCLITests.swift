import Foundation
import Testing
import TallyTestSupport

/// `tally simulate`, `bench` and `report` with pairwise, numeric and text answers, and the
/// method lists of `toloka run` (issue 15, item 7).
@Suite("tally simulate, bench and report: every answer type")
struct KindsCLITests {
    static let questions = Repository.file("datasets/scenarios/questions")

    @Test("simulate a numeric scenario, bench its folder beside vldb-emotion, report both")
    func simulateBenchReport() throws {
        try withTempDirectory { dir in
            let s = try CLI.run(["simulate", Self.questions.appendingPathComponent("speaker-age.json").path, "--seed", "3", "--out-dir", "sets/ages", "--methods", "mean,median"], in: dir)
            #expect(s.status == 0, "stderr: \(s.stderr)")
            #expect(s.stderr.contains("2000 numeric answers: 400 tasks, 80 workers") && s.stderr.contains("mean mae "), "\(s.stderr)")
            #expect(try listing(dir.appendingPathComponent("sets/ages")) == ["answers.tsv", "dataset.json", "gold.tsv", "summary.json", "workers.tsv"])
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("sets/ages/summary.json"))) as? [String: Any])
            let methods = try #require(summary["methods"] as? [String: [String: Any]])
            #expect(Set(methods.keys) == ["mean", "median"] && (methods["mean"]?["mae"] as? Double ?? .nan) > 0)

            if let emotion = RealDatasets.answersIfPresent("vldb-emotion"), let gold = RealDatasets.goldIfPresent("vldb-emotion") {
                let e = dir.appendingPathComponent("sets/vldb-emotion")
                try FileManager.default.createDirectory(at: e, withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: emotion, to: e.appendingPathComponent(emotion.lastPathComponent))
                try FileManager.default.copyItem(at: gold, to: e.appendingPathComponent(gold.lastPathComponent))
            }
            let b = try CLI.run(["bench", "--datasets", "sets", "--methods", "all", "--out-dir", "bench", "-q"], in: dir)
            #expect(b.status == 0, "stderr: \(b.stderr)")
            let tsv = try String(contentsOf: dir.appendingPathComponent("bench/results.tsv"), encoding: .utf8)
            let lines = tsv.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            let header = lines[0]
            let mae = try #require(header.firstIndex(of: "mae")), type = try #require(header.firstIndex(of: "answer_type"))
            let ages = lines.dropFirst().filter { $0[0] == "ages" }
            #expect(ages.count == 5 && ages.allSatisfy { $0[type] == "numeric" && Double($0[mae]) != nil })
            if RealDatasets.isAvailable("vldb-emotion") {
                // The mean's MAE on vldb-emotion, as `tally evaluate` computes it (NumericCLITests).
                let (expected, _) = try NumericCLITests.expected("vldb-emotion", "mean")
                let mean = try #require(lines.first { $0[0] == "vldb-emotion" && $0[1] == "mean" })
                #expect(abs(Double(mean[mae])! - expected) < 5e-5, "\(mean)")
            }
            let md = try String(contentsOf: dir.appendingPathComponent("bench/results.md"), encoding: .utf8)
            #expect(md.contains("### numeric: MAE / RMSE"))

            let r = try CLI.run(["report", "bench", "--notebook", "bench.ipynb", "--stable", "--charts", "charts"], in: dir)
            #expect(r.status == 0, "stderr: \(r.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("charts/numeric-mae.vl.json").path))
            let q = try CLI.run(["report", "sets/ages", "--notebook", "ages.ipynb", "--stable", "--charts", "qcharts"], in: dir)
            #expect(q.status == 0, "stderr: \(q.stderr)")
            let nb = try String(contentsOf: dir.appendingPathComponent("ages.ipynb"), encoding: .utf8)
            #expect(nb.contains("MAE per method") && nb.contains("| mean |"))
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("qcharts/numeric-methods.vl.json").path))
        }
    }

    @Test("simulate pairwise and text scenarios: answers in the kind's layout, scored by the kind's methods")
    func pairwiseAndText() throws {
        try withTempDirectory { dir in
            let p = try CLI.run(["simulate", Self.questions.appendingPathComponent("clarity-comparisons.json").path, "--out-dir", "pairs"], in: dir)
            #expect(p.status == 0, "stderr: \(p.stderr)")
            #expect(p.stderr.contains("1800 comparisons: 60 items") && p.stderr.contains("bt kendall_tau "), "\(p.stderr)")
            #expect(readText(dir, "pairs/answers.tsv")?.hasPrefix("worker\tleft\tright\tlabel\n") == true)
            #expect(readText(dir, "pairs/gold.tsv")?.hasPrefix("item\tscore\n") == true)
            let t = try CLI.run(["simulate", Self.questions.appendingPathComponent("transcription.json").path, "--out-dir", "text"], in: dir)
            #expect(t.status == 0, "stderr: \(t.stderr)")
            #expect(readText(dir, "text/answers.tsv")?.hasPrefix("task\tworker\ttext\n") == true)
            #expect(readText(dir, "text/dataset.json")?.contains("\"answer_type\" : \"text\"") == true)
            // A method of another kind is refused before anything runs.
            let bad = try CLI.run(["simulate", Self.questions.appendingPathComponent("clarity-comparisons.json").path, "--out-dir", "x", "--methods", "mv"], in: dir)
            #expect(bad.status != 0 && bad.stderr.contains("mv takes categorical answers; this scenario asks pairwise questions"), "\(bad.stderr)")
            let cat = try CLI.run(["simulate", Repository.file("datasets/scenarios/audio-gender.json").path, "--out-dir", "y", "--methods", "catd"], in: dir)
            #expect(cat.status != 0 && cat.stderr.contains("catd takes numeric answers; this scenario asks categorical questions"), "\(cat.stderr)")
        }
    }

    @Test("bench --methods catd on a categorical folder says why it wrote no row")
    func benchRefusal() throws {
        try withTempDirectory { dir in
            let toy = dir.appendingPathComponent("sets/toy")
            try FileManager.default.createDirectory(at: toy, withIntermediateDirectories: true)
            for f in ["answers.tsv", "gold.tsv"] { try FileManager.default.copyItem(at: Repository.file("datasets/toy/\(f)"), to: toy.appendingPathComponent(f)) }
            let b = try CLI.run(["bench", "--datasets", "sets", "--methods", "catd", "--out-dir", "bench"], in: dir)
            #expect(b.status == 0, "stderr: \(b.stderr)")
            #expect(b.stderr.contains("toy: skipped (categorical answers, and none of the methods (catd) takes them)"), "\(b.stderr)")
            #expect(readText(dir, "bench/results.md")?.contains("- toy: categorical answers, and none of the methods (catd) takes them") == true)
        }
    }

    @Test("toloka run lists and takes only methods of categorical answers")
    func tolokaRunMethods() throws {
        try withTempDirectory { dir in
            let help = try CLI.run(["toloka", "run", "--help"], in: dir)
            #expect(help.stdout.contains("mv") && help.stdout.contains("ds"))
            for name in ["catd", "bt", "noisy-bt", "lfc-n", "median"] { #expect(!help.stdout.contains(name), "\(name) in toloka run --help") }
            let run = try CLI.run(["toloka", "run", "workflow.json", "--method", "catd", "--state", "state.json", "--out-dir", "out", "--dry-run"], in: dir)
            #expect(run.status != 0 && run.stderr.contains("catd takes numeric answers"), "\(run.stderr)")
        }
    }
}
