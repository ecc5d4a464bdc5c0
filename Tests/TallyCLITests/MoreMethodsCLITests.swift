import Foundation
import Testing
import TallyTestSupport

@Suite("tally aggregate --method glad / mace")
struct MoreMethodsCLITests {
    @Test("glad on vldb-rel: crowd-kit's stopping gives crowd-kit's 0.5646, convergence gives JOSS's 0.511 ± 0.005; betas and abilities written")
    func glad() throws {
        let answers = try RealDatasets.answers("vldb-rel").path
        let gold = try RealDatasets.gold("vldb-rel").path
        try withTempDirectory { dir in
            let compat = try CLI.run(["aggregate", answers, "--method", "glad", "--stopping", "crowd-kit", "--out", "l.tsv",
                                      "--betas", "b.tsv", "--skills", "a.tsv", "--gold", gold], in: dir)
            #expect(compat.status == 0, "stderr: \(compat.stderr)")
            #expect(compat.stderr.contains("glad: 2 iterations"), "stderr: \(compat.stderr)")
            #expect(compat.stderr.contains("accuracy on 4460 gold tasks: 0.5646"), "stderr: \(compat.stderr)")
            let betas = try String(contentsOf: dir.appendingPathComponent("b.tsv"), encoding: .utf8)
            #expect(betas.hasPrefix("task\tbeta\n"))
            #expect(betas.split(separator: "\n").count == 20233)
            #expect(try String(contentsOf: dir.appendingPathComponent("a.tsv"), encoding: .utf8).hasPrefix("worker\tskill\n"))
            let converged = try CLI.run(["aggregate", answers, "--method", "glad", "--out", "l2.tsv", "--gold", gold], in: dir)
            #expect(converged.status == 0, "stderr: \(converged.stderr)")
            // Converged GLAD lands on the JOSS 2024 value (0.511); where exactly depends on the last
            // bits of the arithmetic, which conjugate gradient amplifies over ~40 iterations.
            let line = try #require(converged.stderr.split(separator: "\n").first { $0.hasPrefix("accuracy on 4460 gold tasks: ") })
            let accuracy = try #require(Double(line.dropFirst("accuracy on 4460 gold tasks: ".count).prefix(6)))
            #expect(abs(accuracy - 0.511) <= 0.005, "\(line)")
        }
    }

    @Test("mace writes spamming and strategies; its options are refused with other methods")
    func mace() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "a.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\ta\nt2\tw1\tb\nt2\tw2\ta\nt3\tw1\tc\nt3\tw2\tc\n")
            let out = try CLI.run(["aggregate", "a.tsv", "--method", "mace", "--spamming", "s.tsv", "--strategies", "st.json",
                                   "--restarts", "3", "--max-iterations", "20", "--mace-method", "em", "--out", "l.tsv"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stderr.contains("of 3 kept"), "stderr: \(out.stderr)")
            let spamming = try String(contentsOf: dir.appendingPathComponent("s.tsv"), encoding: .utf8)
            #expect(spamming.hasPrefix("worker\tspamming\tknowing\nw1\t"))
            let strategies = try String(contentsOf: dir.appendingPathComponent("st.json"), encoding: .utf8)
            #expect(strategies.hasPrefix("[\n  {\"worker\": \"w1\", \"a\": "))
            let bad = try CLI.run(["aggregate", "a.tsv", "--method", "ds", "--spamming", "s2.tsv"], in: dir)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("--method mace only"))
            let badBetas = try CLI.run(["aggregate", "a.tsv", "--method", "mace", "--betas", "b.tsv"], in: dir)
            #expect(badBetas.status != 0)
        }
    }

    @Test("mace --mace-compat crowd-kit: crowd-kit 1.4.2's vldb-possent accuracy 0.9500 (the default model: 0.9570); refused with other methods")
    func maceCompat() throws {
        let answers = try RealDatasets.answers("vldb-possent").path
        let gold = try RealDatasets.gold("vldb-possent").path
        try withTempDirectory { dir in
            let compat = try CLI.run(["aggregate", answers, "--method", "mace", "--mace-compat", "crowd-kit", "--gold", gold,
                                      "--out", "l.tsv", "--probabilities", "p.tsv", "--spamming", "s.tsv"], in: dir)
            #expect(compat.status == 0, "stderr: \(compat.stderr)")
            #expect(compat.stderr.contains("mace: crowd-kit 1.4.2 compatibility (its defects included; random_state 0): 10 identical restarts"), "stderr: \(compat.stderr)")
            #expect(compat.stderr.contains("accuracy on 1000 gold tasks: 0.9500"), "stderr: \(compat.stderr)")
            #expect(try String(contentsOf: dir.appendingPathComponent("s.tsv"), encoding: .utf8).hasPrefix("worker\tspamming\tknowing\n"))
            let correct = try CLI.run(["aggregate", answers, "--method", "mace", "--mace-compat", "none", "--gold", gold, "--out", "l2.tsv"], in: dir)
            #expect(correct.status == 0, "stderr: \(correct.stderr)")
            #expect(correct.stderr.contains("accuracy on 1000 gold tasks: 0.9570"), "stderr: \(correct.stderr)")
            #expect(correct.stderr.contains("of 10 kept"), "stderr: \(correct.stderr)")
            let bad = try CLI.run(["aggregate", answers, "--method", "ds", "--mace-compat", "crowd-kit"], in: dir)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("--mace-compat applies to --method mace only"), "stderr: \(bad.stderr)")
            let badValue = try CLI.run(["aggregate", answers, "--method", "mace", "--mace-compat", "crowdkit"], in: dir)
            #expect(badValue.status != 0)
            let badSeed = try CLI.run(["aggregate", answers, "--method", "mace", "--mace-compat", "crowd-kit", "--seed", "4294967296"], in: dir)
            #expect(badSeed.status != 0)
            #expect(badSeed.stderr.contains("below 2^32"), "stderr: \(badSeed.stderr)")
        }
    }

    @Test("mmsr: crowd-kit's sign graph by default (snow-rte 0.8575), the paper's with --sign-graph observed-pairs")
    func mmsr() throws {
        let answers = try RealDatasets.answers("snow-rte").path
        let gold = try RealDatasets.gold("snow-rte").path
        try withTempDirectory { dir in
            let ck = try CLI.run(["aggregate", answers, "--method", "mmsr", "--gold", gold, "--skills", "s.tsv", "--out", "l.tsv"], in: dir)
            #expect(ck.status == 0, "stderr: \(ck.stderr)")
            #expect(ck.stderr.contains("accuracy on 800 gold tasks: 0.8575"), "stderr: \(ck.stderr)")
            #expect(try String(contentsOf: dir.appendingPathComponent("s.tsv"), encoding: .utf8).hasPrefix("worker\tskill\n"))
            let paper = try CLI.run(["aggregate", answers, "--method", "mmsr", "--sign-graph", "observed-pairs", "--gold", gold, "--out", "l2.tsv"], in: dir)
            #expect(paper.status == 0, "stderr: \(paper.stderr)")
            #expect(paper.stderr.contains("accuracy on 800 gold tasks: 0.92"), "stderr: \(paper.stderr)")
            let bad = try CLI.run(["aggregate", answers, "--method", "mv", "--sign-graph", "observed-pairs"], in: dir)
            #expect(bad.status != 0)
        }
    }
}
