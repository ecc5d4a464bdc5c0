import Foundation
import Testing
import TallyTestSupport

/// `tally evaluate --answers`: agreement metrics on the command line, against crowd-kit's values
/// in the aggregation tests' fixtures (`scripts/agreement_fixtures.py`).
@Suite("tally evaluate --answers")
struct EvaluateAgreementCLITests {
    static let fixtures = Repository.file("Tests/TallyAggregationTests/Fixtures/agreement")
    static let toy = Repository.file("Tests/TallyAggregationTests/Fixtures/crowdkit/toy")

    /// crowd-kit's value of `metric` on `dataset` (summary.tsv).
    static func expected(_ dataset: String, _ metric: String) throws -> Double {
        let text = try String(contentsOf: fixtures.appendingPathComponent("summary.tsv"), encoding: .utf8)
        let row = try #require(text.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }.first { $0[0] == dataset && $0[1] == metric })
        return try #require(Double(row[2]))
    }

    @Test("alpha, uncertainty and consistency on snow-rte match crowd-kit (JSON report)")
    func snowRTE() throws {
        let answers = try RealDatasets.answers("snow-rte").path
        try withTempDirectory { dir in
            let out = try CLI.run(["evaluate", "--answers", answers, "--report", "json"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: out.stdoutData) as? [String: Any])
            #expect(json["answers"] as? Int == 8000)
            #expect(abs((json["alpha"] as? Double ?? .nan) - (try Self.expected("snow-rte", "alpha_nominal"))) < 1e-9)
            #expect(abs((json["uncertainty"] as? Double ?? .nan) - (try Self.expected("snow-rte", "uncertainty"))) < 1e-9)
            #expect(abs((json["consistency"] as? Double ?? .nan) - (try Self.expected("snow-rte", "consistency"))) < 1e-9)
            #expect(out.stderr.contains("alpha: computed in"))
        }
    }

    @Test("--method mv gives uncertainty mv's skills; --by worker --out writes one row per worker")
    func perWorker() throws {
        try withTempDirectory { dir in
            let answers = Self.toy.appendingPathComponent("answers.tsv").path
            let u = try CLI.run(["evaluate", "--answers", answers, "--metrics", "uncertainty", "--method", "mv", "--report", "json", "-q"], in: dir)
            #expect(u.status == 0, "stderr: \(u.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: u.stdoutData) as? [String: Any])
            #expect(abs((json["uncertainty"] as? Double ?? .nan) - (try Self.expected("toy", "uncertainty_mv"))) < 1e-9)
            #expect(json["alpha"] == nil && json["consistency"] == nil)
            #expect(u.stderr.isEmpty)

            let w = try CLI.run(["evaluate", "--answers", answers, "--metrics", "uncertainty", "--by", "worker", "--out", "workers.tsv", "-q"], in: dir)
            #expect(w.status == 0, "stderr: \(w.stderr)")
            let rows = try String(contentsOf: dir.appendingPathComponent("workers.tsv"), encoding: .utf8).split(separator: "\n")
            #expect(rows.first == "worker\tuncertainty")
            #expect(rows.count == 6)
            let fixture = try String(contentsOf: Self.fixtures.appendingPathComponent("toy/by_worker.tsv"), encoding: .utf8)
            let header = fixture.split(separator: "\n")[0].split(separator: "\t")
            let column = try #require(header.firstIndex(of: "uncertainty"))
            for line in fixture.split(separator: "\n").dropFirst() {
                let f = line.split(separator: "\t")
                let ours = try #require(rows.first { $0.hasPrefix(f[0] + "\t") })
                #expect(abs(Double(ours.split(separator: "\t")[1])! - Double(f[column])!) < 1e-9, "worker \(f[0])")
            }
        }
    }

    @Test("labels, gold and answers together: one JSON object with an agreement member")
    func combined() throws {
        try withTempDirectory { dir in
            let answers = Self.toy.appendingPathComponent("answers.tsv").path
            let a = try CLI.run(["aggregate", answers, "--out", "labels.tsv", "-q"], in: dir)
            #expect(a.status == 0)
            let e = try CLI.run(["evaluate", "labels.tsv", "--gold", Self.toy.appendingPathComponent("gold.tsv").path,
                                 "--answers", answers, "--metrics", "alpha", "--report", "json", "-q"], in: dir)
            #expect(e.status == 0, "stderr: \(e.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: e.stdoutData) as? [String: Any])
            #expect(json["accuracy"] as? Double == 0.8)
            let agreement = try #require(json["agreement"] as? [String: Any])
            #expect(abs((agreement["alpha"] as? Double ?? .nan) - (try Self.expected("toy", "alpha_nominal"))) < 1e-12)
        }
    }

    @Test("bad input: unknown metric, options without --answers, a skills file missing a worker, one answer per task")
    func badInput() throws {
        try withTempDirectory { dir in
            let answers = Self.toy.appendingPathComponent("answers.tsv").path
            let unknown = try CLI.run(["evaluate", "--answers", answers, "--metrics", "kappa"], in: dir)
            #expect(unknown.status == 64 && unknown.stderr.contains("unknown metric 'kappa'"))
            let alone = try CLI.run(["evaluate", "--metrics", "alpha"], in: dir)
            #expect(alone.status == 64 && alone.stderr.contains("need --answers FILE"))
            try writeFile(dir, "skills.tsv", "worker\tskill\nw1\t0.9\n")
            let missing = try CLI.run(["evaluate", "--answers", answers, "--weights", "skills.tsv"], in: dir)
            #expect(missing.status == 65 && missing.stderr.contains("no skill for worker"), "stderr: \(missing.stderr)")
            try writeFile(dir, "single.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt2\tw2\tb\n")
            let single = try CLI.run(["evaluate", "--answers", "single.tsv", "--metrics", "alpha"], in: dir)
            #expect(single.status == 65 && single.stderr.contains("at least two answers"), "stderr: \(single.stderr)")
            #expect(single.stdout.isEmpty)
        }
    }
}
