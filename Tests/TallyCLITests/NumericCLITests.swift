import Foundation
import Testing
import TallyTestSupport

/// `tally aggregate --answer-type numeric` with the numeric methods, and `tally evaluate
/// --answer-type numeric` (MAE, RMSE, interval alpha), against the VLDB 2017 reference's numbers
/// (`Tests/TallyAggregationTests/Fixtures/numeric`, `scripts/numeric_fixtures.py`).
@Suite("tally aggregate and evaluate: numeric answers")
struct NumericCLITests {
    static let fixtures = Repository.file("Tests/TallyAggregationTests/Fixtures/numeric")

    /// (MAE, RMSE) of the reference's output for `method` on `dataset` (summary.tsv).
    static func expected(_ dataset: String, _ method: String) throws -> (Double, Double) {
        let text = try String(contentsOf: fixtures.appendingPathComponent("summary.tsv"), encoding: .utf8)
        let row = try #require(text.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }.first { $0[0] == dataset && $0[1] == method })
        return (Double(row[2])!, Double(row[3])!)
    }

    @Test("vldb-emotion: each method's MAE and RMSE equal the reference's", arguments: ["mean", "median", "catd", "pm", "lfc-n"])
    func emotion(method: String) throws {
        let answers = try RealDatasets.answers("vldb-emotion").path, gold = try RealDatasets.gold("vldb-emotion").path
        try withTempDirectory { dir in
            let a = try CLI.run(["aggregate", answers, "--answer-type", "numeric", "--method", method, "--out", "values.tsv"], in: dir)
            #expect(a.status == 0, "stderr: \(a.stderr)")
            #expect(a.stderr.contains("read 7000 numeric answers: 700 tasks, 38 workers"))
            let e = try CLI.run(["evaluate", "values.tsv", "--gold", gold, "--answer-type", "numeric", "--report", "json"], in: dir)
            #expect(e.status == 0, "stderr: \(e.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: e.stdoutData) as? [String: Any])
            let (mae, rmse) = try Self.expected("vldb-emotion", method == "catd" ? "catd-task" : method)
            #expect(json["scored"] as? Int == 700)
            #expect(abs((json["mae"] as? Double ?? .nan) - mae) < 1e-9, "\(method) MAE")
            #expect(abs((json["rmse"] as? Double ?? .nan) - rmse) < 1e-9, "\(method) RMSE")
        }
    }

    @Test("catd --param normalization=global and --skills (worker weights) on the synthetic set")
    func catdGlobal() throws {
        let dir0 = Self.fixtures.appendingPathComponent("synth")
        try withTempDirectory { dir in
            let a = try CLI.run(["aggregate", dir0.appendingPathComponent("answers.tsv").path, "--answer-type", "numeric", "--method", "catd",
                                 "--param", "normalization=global", "--out", "values.tsv", "--skills", "weights.tsv", "-q"], in: dir)
            #expect(a.status == 0, "stderr: \(a.stderr)")
            // The weights are the reference's normalised worker weights.
            let weights = try String(contentsOf: dir.appendingPathComponent("weights.tsv"), encoding: .utf8).split(separator: "\n")
            let reference = try String(contentsOf: dir0.appendingPathComponent("catd.workers.tsv"), encoding: .utf8).split(separator: "\n").dropFirst()
            #expect(weights.first == "worker\tskill" && weights.count == reference.count + 1)
            var expected: [Substring: Double] = [:]
            for line in reference { let f = line.split(separator: "\t"); expected[f[0]] = Double(f[1]) }
            for line in weights.dropFirst() {
                let f = line.split(separator: "\t")
                let e = try #require(expected[f[0]])
                #expect(abs(Double(f[1])! - e) <= 1e-6 * e, "worker \(f[0])")
            }
            let e = try CLI.run(["evaluate", "values.tsv", "--gold", dir0.appendingPathComponent("gold.tsv").path, "--answer-type", "numeric", "--report", "json"], in: dir)
            let json = try #require(try JSONSerialization.jsonObject(with: e.stdoutData) as? [String: Any])
            let (mae, _) = try Self.expected("synth", "catd")
            #expect(abs((json["mae"] as? Double ?? .nan) - mae) < 1e-9)
        }
    }

    @Test("interval alpha of numeric answers, with labels and gold in one report")
    func alpha() throws {
        let answers = Self.fixtures.appendingPathComponent("synth/answers.tsv").path
        let summary = try String(contentsOf: Repository.file("Tests/TallyAggregationTests/Fixtures/agreement/summary.tsv"), encoding: .utf8)
        let row = try #require(summary.split(separator: "\n").map { $0.split(separator: "\t") }.first { $0[0] == "numeric-synth" })
        try withTempDirectory { dir in
            let out = try CLI.run(["evaluate", "--answers", answers, "--answer-type", "numeric", "--report", "json", "-q"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: out.stdoutData) as? [String: Any])
            #expect(json["alpha_distance"] as? String == "interval")
            #expect(abs((json["alpha"] as? Double ?? .nan) - Double(row[2])!) < 1e-9)
            let refused = try CLI.run(["evaluate", "--answers", answers, "--answer-type", "numeric", "--metrics", "uncertainty"], in: dir)
            #expect(refused.status == 64 && refused.stderr.contains("need categorical answers"))
        }
    }

    @Test("bad input: a numeric file with a non-number names file, line and field (exit 65); a categorical method is refused")
    func badInput() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "bad.tsv", "task\tworker\tvalue\nt1\tw1\t3.5\nt1\tw2\tabc\n")
            let a = try CLI.run(["aggregate", "bad.tsv", "--answer-type", "numeric", "--method", "lfc-n"], in: dir)
            #expect(a.status == 65)
            #expect(a.stderr.contains("bad.tsv:3") && a.stderr.contains("value"), "stderr: \(a.stderr)")
            try writeFile(dir, "ok.tsv", "task\tworker\tvalue\nt1\tw1\t3.5\nt1\tw2\t4\n")
            let mv = try CLI.run(["aggregate", "ok.tsv", "--answer-type", "numeric", "--method", "mv"], in: dir)
            #expect(mv.status == 65 && mv.stderr.contains("catd"), "stderr: \(mv.stderr)")
            try writeFile(dir, "est.tsv", "task\tvalue\nt1\tx\n")
            try writeFile(dir, "gold.tsv", "task\tlabel\nt1\t3\n")
            let e = try CLI.run(["evaluate", "est.tsv", "--gold", "gold.tsv", "--answer-type", "numeric"], in: dir)
            #expect(e.status == 65 && e.stderr.contains("est.tsv:2") && e.stderr.contains("'value'"), "stderr: \(e.stderr)")
        }
    }
}
