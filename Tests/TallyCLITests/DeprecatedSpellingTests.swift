import Foundation
import Testing
import TallyTestSupport

/// Every old spelling still works, gives what its new spelling gives, and prints one deprecation line.
@Suite("Deprecated option spellings")
struct DeprecatedSpellingTests {
    var toy: String { Repository.root.appendingPathComponent("datasets/toy/answers.tsv").path }
    var toyGold: String { Repository.root.appendingPathComponent("datasets/toy/gold.tsv").path }
    var scenario: String { Repository.root.appendingPathComponent("datasets/scenarios/audio-gender.json").path }

    /// Runs `old` and `new` (each writing `file` in its own folder); both succeed with the same bytes,
    /// and only `old` prints `notice`.
    func same(_ old: [String], _ new: [String], file: String, notice: String) throws {
        try withTempDirectory { dir in
            let a = dir.appendingPathComponent("old"), b = dir.appendingPathComponent("new")
            try FileManager.default.createDirectory(at: a, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: b, withIntermediateDirectories: true)
            let ro = try CLI.run(old, in: a), rn = try CLI.run(new, in: b)
            #expect(ro.status == 0, "\(old): \(ro.stderr)")
            #expect(rn.status == 0, "\(new): \(rn.stderr)")
            #expect(ro.stderr.contains("tally: warning: \(notice)"), "\(old): \(ro.stderr)")
            #expect(!rn.stderr.contains("deprecated"), "\(new): \(rn.stderr)")
            let fo = FileManager.default.contents(atPath: a.appendingPathComponent(file).path)
            #expect(fo != nil && fo == FileManager.default.contents(atPath: b.appendingPathComponent(file).path), "\(file) differs")
        }
    }

    func aggregate(_ method: String, _ extra: [String]) -> [String] {
        ["aggregate", toy, "--method", method, "--out", "labels.tsv", "--probabilities", "p.tsv"] + extra
    }

    @Test func iterations() throws {
        for m in ["zbs", "kos", "mace"] {
            try same(aggregate(m, ["--iterations", "7"]), aggregate(m, ["--max-iterations", "7"]), file: "p.tsv",
                     notice: "--iterations is deprecated; use --max-iterations")
        }
    }

    @Test func maceCompat() throws {
        try same(aggregate("mace", ["--mace-compat", "crowd-kit"]), aggregate("mace", ["--compat", "crowd-kit"]), file: "p.tsv",
                 notice: "--mace-compat crowd-kit is deprecated; use --compat crowd-kit")
    }

    @Test func gladStopping() throws {
        try same(aggregate("glad", ["--stopping", "crowd-kit"]), aggregate("glad", ["--compat", "crowd-kit"]), file: "p.tsv",
                 notice: "--stopping crowd-kit is deprecated; use --compat crowd-kit")
    }

    @Test func signGraph() throws {
        try same(aggregate("mmsr", ["--sign-graph", "crowd-kit"]), aggregate("mmsr", ["--compat", "crowd-kit"]), file: "p.tsv",
                 notice: "--sign-graph crowd-kit is deprecated; use --compat crowd-kit")
        // crowd-kit's sign graph is also the default: no flag gives the same bytes.
        try same(aggregate("mmsr", ["--sign-graph", "crowd-kit"]), aggregate("mmsr", []), file: "p.tsv",
                 notice: "--sign-graph crowd-kit is deprecated; use --compat crowd-kit")
    }

    @Test func inputFormat() throws {
        try same(aggregate("ds", ["--input-format", "crowdkit"]), aggregate("ds", ["--input-format", "crowd-kit"]), file: "p.tsv",
                 notice: "--input-format crowdkit is deprecated; use --input-format crowd-kit")
    }

    @Test func evaluateFormat() throws {
        try withTempDirectory { dir in
            #expect(try CLI.run(aggregate("mv", []), in: dir).status == 0)
            let old = try CLI.run(["evaluate", "labels.tsv", "--gold", toyGold, "--format", "json"], in: dir)
            let new = try CLI.run(["evaluate", "labels.tsv", "--gold", toyGold, "--report", "json"], in: dir)
            #expect(old.status == 0 && new.status == 0, "\(old.stderr) \(new.stderr)")
            #expect(old.stdout == new.stdout && old.stdout.contains("\"accuracy\""))
            #expect(old.stderr.contains("tally: warning: --format is deprecated; use --report"))
            #expect(new.stderr.isEmpty)
        }
    }

    @Test func simulateAggregateAndOut() throws {
        try same(["simulate", scenario, "--seed", "2", "--out", "run", "--aggregate", "mv,wawa"],
                 ["simulate", scenario, "--seed", "2", "--out-dir", "run", "--methods", "mv,wawa"], file: "run/answers.tsv",
                 notice: "--aggregate is deprecated; use --methods")
        try withTempDirectory { dir in
            let r = try CLI.run(["simulate", scenario, "--seed", "2", "--out", "run", "--aggregate", "mv,wawa"], in: dir)
            #expect(r.stderr.contains("tally: warning: --out (a folder) is deprecated; use --out-dir"))
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("run/summary.json"))) as? [String: Any])
            #expect(Set((summary["aggregators"] as? [String: Double] ?? [:]).keys) == ["mv", "wawa"])
        }
    }

    @Test func studyFirstSeed() throws {
        let base = ["study", scenario, "--vary", "overlap=2..3", "--seeds", "2"]
        try same(base + ["--first-seed", "4", "--aggregate", "mv", "--out", "s"], base + ["--seed", "4", "--methods", "mv", "--out-dir", "s"],
                 file: "s/runs.tsv", notice: "--first-seed is deprecated; use --seed")
    }

    @Test func qcReplayAggregateAndOut() throws {
        try withTempDirectory { dir in
            #expect(try CLI.run(["simulate", scenario, "--seed", "5", "--out-dir", "run", "-q"], in: dir).status == 0)
            let old = try CLI.run(["qc", "replay", "run/export.tsv", "--rules", "run/pool.json", "--gold", "run/gold.tsv", "--aggregate", "mv,ds", "--out", "a"], in: dir)
            let new = try CLI.run(["qc", "replay", "run/export.tsv", "--rules", "run/pool.json", "--gold", "run/gold.tsv", "--methods", "mv,ds", "--out-dir", "b"], in: dir)
            #expect(old.status == 0 && new.status == 0, "\(old.stderr) \(new.stderr)")
            #expect(old.stderr.contains("tally: warning: --aggregate is deprecated; use --methods"))
            #expect(old.stderr.contains("tally: warning: --out (a folder) is deprecated; use --out-dir"))
            #expect(!new.stderr.contains("deprecated"))
            #expect(readText(dir, "a/replay.json") == readText(dir, "b/replay.json") && readText(dir, "a/bans.tsv") == readText(dir, "b/bans.tsv"))
        }
    }

    @Test func benchOut() throws {
        try withTempDirectory { dir in
            let set = dir.appendingPathComponent("data/toy")
            try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
            for f in ["answers.tsv", "gold.tsv"] {
                try FileManager.default.copyItem(atPath: Repository.root.appendingPathComponent("datasets/toy/\(f)").path, toPath: set.appendingPathComponent(f).path)
            }
            let r = try CLI.run(["bench", "--datasets", "data", "--methods", "mv,ds", "--out", "bench"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("tally: warning: --out (a folder) is deprecated; use --out-dir"))
            #expect(readText(dir, "bench/results.tsv")?.contains("toy\tds\t") == true)
        }
    }

    @Test("an old and a new spelling together are refused")
    func both() throws {
        try withTempDirectory { dir in
            let r = try CLI.run(["simulate", scenario, "--out", "a", "--out-dir", "b"], in: dir)
            #expect(r.status != 0 && r.stderr.contains("--out is the old spelling of --out-dir"))
            // qc replay's optional --out-dir goes through the same option group.
            let q = try CLI.run(["qc", "replay", "export.tsv", "--rules", "pool.json", "--out", "a", "--out-dir", "b"], in: dir)
            #expect(q.status != 0 && q.stderr.contains("--out is the old spelling of --out-dir"))
        }
    }
}
