import Foundation
import Testing
import TallyTestSupport

@Suite("tally aggregate --method ds / onecoin-ds")
struct DawidSkeneCLITests {
    @Test("ds on vldb-product: accuracy 0.9397, confusions written per (worker, label)")
    func vldbProduct() throws {
        let answers = try RealDatasets.answers("vldb-product").path
        let gold = try RealDatasets.gold("vldb-product").path
        try withTempDirectory { dir in
            let out = try CLI.run(["aggregate", answers, "--method", "ds", "--out", "labels.tsv", "--probabilities", "p.tsv",
                                   "--confusions", "c.tsv", "--gold", gold], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stderr.contains("ds: 80 iterations"), "stderr: \(out.stderr)")
            #expect(out.stderr.contains("accuracy on 8315 gold tasks: 0.9397"), "stderr: \(out.stderr)")
            let confusions = try String(contentsOf: dir.appendingPathComponent("c.tsv"), encoding: .utf8)
            #expect(confusions.hasPrefix("worker\tlabel\t0\t1\n"))
            let probabilities = try String(contentsOf: dir.appendingPathComponent("p.tsv"), encoding: .utf8)
            #expect(probabilities.hasPrefix("task\t0\t1\n"))
            #expect(probabilities.split(separator: "\n").count == 8316)
        }
    }

    @Test("onecoin-ds writes skills; ds options are refused with other methods")
    func options() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "a.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\ta\nt2\tw1\tb\nt2\tw2\ta\n")
            let out = try CLI.run(["aggregate", "a.tsv", "--method", "onecoin-ds", "--skills", "s.tsv", "--out", "l.tsv"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(try String(contentsOf: dir.appendingPathComponent("s.tsv"), encoding: .utf8).hasPrefix("worker\tskill\n"))
            let bad = try CLI.run(["aggregate", "a.tsv", "--method", "mv", "--em", "hard"], in: dir)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("--method ds only"))
        }
    }

    @Test("--initial-error reads a confusions file; --clamp-gold needs --gold")
    func initialError() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "a.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\ta\nt2\tw1\tb\nt2\tw2\ta\n")
            let first = try CLI.run(["aggregate", "a.tsv", "--method", "ds", "--confusions", "c.tsv", "--out", "l.tsv"], in: dir)
            #expect(first.status == 0, "stderr: \(first.stderr)")
            let again = try CLI.run(["aggregate", "a.tsv", "--method", "ds", "--initial-error", "c.tsv",
                                     "--initial-error-strategy", "assign", "--out", "l2.tsv"], in: dir)
            #expect(again.status == 0, "stderr: \(again.stderr)")
            let clamp = try CLI.run(["aggregate", "a.tsv", "--method", "ds", "--clamp-gold"], in: dir)
            #expect(clamp.status != 0)
            #expect(clamp.stderr.contains("--clamp-gold needs gold labels"))
        }
    }
}

@Suite("tally aggregate --save-model / --init-model")
struct DawidSkeneWarmStartCLITests {
    @Test("a saved model restarts ds on more answers; a mismatched model exits 65; --threads is taken")
    func saveAndResume() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "a.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\ta\nt1\tw3\tb\nt2\tw1\tb\nt2\tw2\tb\nt2\tw3\tb\nt3\tw1\ta\nt3\tw2\tb\nt3\tw3\ta\n")
            try writeFile(dir, "b.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt1\tw2\ta\nt1\tw3\tb\nt2\tw1\tb\nt2\tw2\tb\nt2\tw3\tb\nt3\tw1\ta\nt3\tw2\tb\nt3\tw3\ta\nt4\tw4\ta\nt4\tw1\ta\n")
            try writeFile(dir, "c.tsv", "task\tworker\tlabel\nt1\tw1\tx\nt1\tw2\ty\n")
            for method in ["ds", "onecoin-ds"] {
                let save = try CLI.run(["aggregate", "a.tsv", "--method", method, "--save-model", "m.json", "--out", "l.tsv", "--threads", "1"], in: dir)
                #expect(save.status == 0, "stderr: \(save.stderr)")
                let json = try String(contentsOf: dir.appendingPathComponent("m.json"), encoding: .utf8)
                #expect(json.contains(#""format":"tally-dawid-skene""#) && json.contains(#""method":"\#(method)""#))
                let resume = try CLI.run(["aggregate", "b.tsv", "--method", method, "--init-model", "m.json", "--out", "l2.tsv"], in: dir)
                #expect(resume.status == 0, "stderr: \(resume.stderr)")
                #expect(resume.stderr.contains("warm start: 3 of 4 workers"), "stderr: \(resume.stderr)")
                let bad = try CLI.run(["aggregate", "c.tsv", "--method", method, "--init-model", "m.json", "--out", "l3.tsv"], in: dir)
                #expect(bad.status == 65, "stderr: \(bad.stderr)")
                #expect(bad.stderr.contains("labels"), "stderr: \(bad.stderr)")
                #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("l3.tsv").path))
            }
            try writeFile(dir, "broken.json", "{\"format\": \"tally-dawid-skene\", \"version\": 1, \"labels\": 3}")
            let broken = try CLI.run(["aggregate", "a.tsv", "--method", "ds", "--init-model", "broken.json"], in: dir)
            #expect(broken.status == 65, "stderr: \(broken.stderr)")
            #expect(broken.stderr.contains("broken.json"), "stderr: \(broken.stderr)")
            let wrong = try CLI.run(["aggregate", "a.tsv", "--method", "mv", "--save-model", "m2.json"], in: dir)
            #expect(wrong.status != 0 && wrong.stderr.contains("--save-model and --init-model apply to --method ds and onecoin-ds only"))
        }
    }
}
