import Foundation
import Testing
import TallyTestSupport

/// Every method `tally methods --format json` lists runs through every command that takes methods.
@Suite("Method registry through every command")
struct MethodRegistryCLITests {
    struct Listed {
        let name: String
        let needsGold: Bool
        let labelCounts: String
    }

    /// The methods for categorical answers as `tally methods --format json` lists them (the
    /// commands below run categorical data; pairwise and numeric methods have their own tests).
    static func listed() throws -> [Listed] {
        let r = try CLI.run(["methods", "--format", "json"], in: Repository.root)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let methods = try #require(json["methods"] as? [[String: Any]])
        return try methods.filter { ($0["answer_types"] as? [String])?.contains("categorical") == true }.map { m in
            Listed(name: try #require(m["name"] as? String), needsGold: try #require(m["needs_gold"] as? Bool),
                   labelCounts: try #require(m["label_counts"] as? String))
        }
    }

    var toy: URL { Repository.root.appendingPathComponent("datasets/toy") }
    /// A binary scenario, so two-label methods (kos) run; simulations have golden tasks for gold-mv.
    var scenario: String { Repository.root.appendingPathComponent("datasets/scenarios/audio-gender.json").path }

    @Test("tally methods lists every method with its parameters")
    func listing() throws {
        let r = try CLI.run(["methods", "--format", "json"], in: Repository.root)
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let methods = try #require(json["methods"] as? [[String: Any]])
        let names = methods.compactMap { $0["name"] as? String }
        #expect(Set(names) == ["mv", "wawa", "zbs", "gold-mv", "ds", "onecoin-ds", "ibcc", "ebcc", "bwa", "minimax", "kos", "glad", "mace", "mmsr",
                               "bt", "noisy-bt", "mean", "median", "catd", "pm", "lfc-n", "rover", "binary-relevance",
                               "counting", "win-rate", "elo", "eigen", "pagerank", "newman", "evalica-bt"])
        #expect(try Self.listed().count == 14, "the categorical methods")
        let bt = try #require(methods.first { $0["name"] as? String == "bt" })
        #expect(bt["answer_types"] as? [String] == ["pairwise"])
        let catd = try #require(methods.first { $0["name"] as? String == "catd" })
        #expect(catd["answer_types"] as? [String] == ["numeric"])
        let ds = try #require(methods.first { $0["name"] as? String == "ds" })
        #expect(ds["crowd_kit_class"] as? String == "DawidSkene")
        let parameters = try #require(ds["parameters"] as? [[String: Any]])
        let maxIterations = try #require(parameters.first { $0["name"] as? String == "max-iterations" })
        #expect(maxIterations["default"] as? Int == 100)
        let kos = try #require(methods.first { $0["name"] as? String == "kos" })
        #expect(kos["label_counts"] as? String == "two")
        let text = try CLI.run(["methods"], in: Repository.root)
        #expect(text.status == 0)
        for name in names { #expect(text.stdout.contains("  \(name) "), "\(name) missing from the text listing") }
    }

    @Test("every listed method runs through aggregate on the toy set")
    func aggregate() throws {
        for m in try Self.listed() {
            try withTempDirectory { dir in
                var args = ["aggregate", toy.appendingPathComponent("answers.tsv").path, "--method", m.name, "--out", "labels.tsv"]
                if m.needsGold { args += ["--gold", toy.appendingPathComponent("gold.tsv").path] }
                let r = try CLI.run(args, in: dir)
                #expect(r.status == 0, "\(m.name): \(r.stderr)")
                let labels = try #require(readText(dir, "labels.tsv"), "\(m.name) wrote no labels")
                // A header and one line per task of the toy set.
                let answers = try String(contentsOf: toy.appendingPathComponent("answers.tsv"), encoding: .utf8)
                let tasks = Set(answers.split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[0] })
                #expect(labels.split(separator: "\n").count == tasks.count + 1, "\(m.name)")
            }
        }
    }

    @Test("every listed method runs through bench --methods")
    func bench() throws {
        for m in try Self.listed() {
            try withTempDirectory { dir in
                let set = dir.appendingPathComponent("data/toy")
                try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
                for f in ["answers.tsv", "gold.tsv"] {
                    try FileManager.default.copyItem(at: toy.appendingPathComponent(f), to: set.appendingPathComponent(f))
                }
                let run = try CLI.run(["bench", "--datasets", "data", "--methods", m.name, "--out-dir", "bench"], in: dir)
                #expect(run.status == 0, "\(m.name): \(run.stderr)")
                let rows = try #require(readText(dir, "bench/results.tsv")).split(separator: "\n").dropFirst()
                #expect(rows.count == 1 && rows.first?.hasPrefix("toy\t\(m.name)\t") == true, "\(m.name): \(rows)")
                if m.needsGold { #expect(run.stderr.contains("warning: \(m.name) is fitted with each data set's gold")) }
            }
        }
    }

    @Test("every listed method runs through simulate --methods and study --methods")
    func simulateAndStudy() throws {
        for m in try Self.listed() {
            try withTempDirectory { dir in
                let sim = try CLI.run(["simulate", scenario, "--seed", "3", "--out-dir", "run", "--methods", m.name, "-q"], in: dir)
                #expect(sim.status == 0, "\(m.name): \(sim.stderr)")
                let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("run/summary.json"))) as? [String: Any])
                let accuracy = (summary["aggregators"] as? [String: Double])?[m.name]
                #expect(accuracy.map { $0 > 0.5 && $0 <= 1 } == true, "\(m.name): accuracy \(String(describing: accuracy))")

                let study = try CLI.run(["study", scenario, "--vary", "overlap=3", "--seeds", "1", "--seed", "3", "--methods", m.name, "--out-dir", "study", "-q"], in: dir)
                #expect(study.status == 0, "\(m.name): \(study.stderr)")
                let tsv = try #require(readText(dir, "study/study.tsv")).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
                let column = try #require(tsv.first?.firstIndex(of: "accuracy_\(m.name)_mean"[...]), "\(m.name): no accuracy column")
                #expect(Double(String(tsv[1][column])).map { $0 > 0.5 } == true, "\(m.name): \(tsv[1][column])")
            }
        }
    }

    @Test("--max-iterations and --compat reach bench and simulate")
    func methodSettings() throws {
        try withTempDirectory { dir in
            let set = dir.appendingPathComponent("data/toy")
            try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
            for f in ["answers.tsv", "gold.tsv"] {
                try FileManager.default.copyItem(at: toy.appendingPathComponent(f), to: set.appendingPathComponent(f))
            }
            let bench = try CLI.run(["bench", "--datasets", "data", "--methods", "ds,glad", "--max-iterations", "3", "--out-dir", "bench", "-q"], in: dir)
            #expect(bench.status == 0, "\(bench.stderr)")
            let rows = try #require(readText(dir, "bench/results.tsv")).split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            #expect(rows.map { String($0[7]) } == ["3", "3"], "iterations: \(rows)")

            // simulate's mace under --compat crowd-kit scores what aggregate's does on the same accepted answers.
            let sim = try CLI.run(["simulate", scenario, "--seed", "3", "--out-dir", "run", "--methods", "mace", "--compat", "crowd-kit", "-q"], in: dir)
            #expect(sim.status == 0, "\(sim.stderr)")
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("run/summary.json"))) as? [String: Any])
            let accuracy = try #require((summary["aggregators"] as? [String: Double])?["mace"])
            let agg = try CLI.run(["aggregate", "run/answers.tsv", "--method", "mace", "--compat", "crowd-kit", "--gold", "run/gold.tsv", "--out", "l.tsv"], in: dir)
            #expect(agg.status == 0, "\(agg.stderr)")
            #expect(agg.stderr.contains("mace: crowd-kit 1.4.2 compatibility"))
            #expect(agg.stderr.contains(String(format: ": %.4f (macro-F1", accuracy)), "\(accuracy) vs \(agg.stderr)")
        }
    }

    @Test("--param reaches any registry parameter, typed by its default; unknown names and bad values are refused")
    func genericParameters() throws {
        let toy = Repository.root.appendingPathComponent("datasets/toy/answers.tsv").path
        try withTempDirectory { dir in
            // The same bytes as the parameter's own option.
            #expect(try CLI.run(["aggregate", toy, "--method", "ds", "--param", "em=hard", "--probabilities", "a.tsv", "--out", "la.tsv", "-q"], in: dir).status == 0)
            #expect(try CLI.run(["aggregate", toy, "--method", "ds", "--em", "hard", "--probabilities", "b.tsv", "--out", "lb.tsv", "-q"], in: dir).status == 0)
            #expect(readText(dir, "a.tsv") == readText(dir, "b.tsv"))
            // A parameter with no option of its own: ibcc's prior changes the probabilities.
            #expect(try CLI.run(["aggregate", toy, "--method", "ibcc", "--probabilities", "p4.tsv", "-q"], in: dir).status == 0)
            #expect(try CLI.run(["aggregate", toy, "--method", "ibcc", "--param", "diagonal-prior=1", "--probabilities", "p1.tsv", "-q"], in: dir).status == 0)
            #expect(readText(dir, "p4.tsv") != nil && readText(dir, "p4.tsv") != readText(dir, "p1.tsv"))
            let unknown = try CLI.run(["aggregate", toy, "--method", "ibcc", "--param", "nope=1"], in: dir)
            #expect(unknown.status != 0 && unknown.stderr.contains("ibcc has no parameter 'nope'; it takes"))
            let badType = try CLI.run(["aggregate", toy, "--method", "ibcc", "--param", "diagonal-prior=many"], in: dir)
            #expect(badType.status != 0 && badType.stderr.contains("expected a number, got 'many'"))
            let badChoice = try CLI.run(["aggregate", toy, "--method", "ds", "--param", "em=bogus"], in: dir)
            #expect(badChoice.status == 65 && badChoice.stderr.contains("must be one of soft, hard, hybrid"))
        }
    }

    @Test("--prior is ds's MAP pseudo-counts; --worker-report and --precisions write per-worker files")
    func bayesianOutputs() throws {
        let toy = Repository.root.appendingPathComponent("datasets/toy/answers.tsv").path
        try withTempDirectory { dir in
            #expect(try CLI.run(["aggregate", toy, "--method", "ds", "--prior", "2,1,1", "--probabilities", "a.tsv", "--out", "la.tsv", "-q"], in: dir).status == 0)
            #expect(try CLI.run(["aggregate", toy, "--method", "ds", "--param", "prior-diagonal=2", "--param", "prior-off-diagonal=1",
                                 "--param", "prior-class=1", "--probabilities", "b.tsv", "--out", "lb.tsv", "-q"], in: dir).status == 0)
            #expect(try CLI.run(["aggregate", toy, "--method", "ds", "--probabilities", "c.tsv", "--out", "lc.tsv", "-q"], in: dir).status == 0)
            #expect(readText(dir, "a.tsv") != nil && readText(dir, "a.tsv") == readText(dir, "b.tsv"))
            #expect(readText(dir, "a.tsv") != readText(dir, "c.tsv"))
            let short = try CLI.run(["aggregate", toy, "--method", "ds", "--prior", "2,1"], in: dir)
            #expect(short.status != 0 && short.stderr.contains("--prior takes three numbers"))
            let notDS = try CLI.run(["aggregate", toy, "--method", "mv", "--prior", "2,1,1"], in: dir)
            #expect(notDS.status != 0 && notDS.stderr.contains("apply to --method ds only"))

            #expect(try CLI.run(["aggregate", toy, "--method", "ibcc", "--worker-report", "r.tsv", "--out", "l.tsv", "-q"], in: dir).status == 0)
            let report = try #require(readText(dir, "r.tsv")).split(separator: "\n")
            #expect(report.first == "worker\tanswers\ttrace\tspammer_score\trank_one_distance")
            #expect(report.count == 1 + 5)
            #expect(try CLI.run(["aggregate", toy, "--method", "bwa", "--precisions", "v.tsv", "--worker-report", "rb.tsv", "--out", "lb2.tsv", "-q"], in: dir).status == 0)
            #expect(readText(dir, "v.tsv")?.hasPrefix("worker\tno\tyes\n") == true)
            #expect(readText(dir, "rb.tsv")?.split(separator: "\n").count == 1 + 5)
            let wrong = try CLI.run(["aggregate", toy, "--method", "ds", "--precisions", "v2.tsv"], in: dir)
            #expect(wrong.status != 0 && wrong.stderr.contains("--precisions applies to --method bwa only"))
        }
    }
}
