import Foundation
import Testing
import TallyTestSupport

@Suite struct SimulateCLITests {
    func temp() throws -> URL { try makeTempDirectory("tally-sim") }

    var scenario: String { Repository.root.appendingPathComponent("datasets/scenarios/audio-gender.json").path }

    @Test func simulateWritesReadableFiles() throws {
        let dir = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["simulate", scenario, "--seed", "3", "--out-dir", "run", "--methods", "mv,ds"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let run = dir.appendingPathComponent("run")
        for f in ["answers.tsv", "export.tsv", "gold.tsv", "tasks.tsv", "workers.tsv", "qc_log.tsv", "pool.json", "summary.json"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(f).path), "\(f) missing")
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("summary.json"))) as! [String: Any]
        let aggregators = summary["aggregators"] as! [String: Double]
        #expect(aggregators["mv"] != nil && aggregators["ds"] != nil)
        // tally aggregate reads both the crowd-kit file and the export.
        let a = try CLI.run(["aggregate", "run/answers.tsv", "--method", "mv", "--gold", "run/gold.tsv", "--out", "labels.tsv"], in: dir)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stderr.contains("accuracy on 100 gold tasks"))
        let e = try CLI.run(["aggregate", "run/export.tsv", "--method", "ds", "--out", "labels2.tsv"], in: dir)
        #expect(e.status == 0, "\(e.stderr)")
        // Same seed, same bytes.
        let again = try CLI.run(["simulate", scenario, "--seed", "3", "--out-dir", "run2", "-q"], in: dir)
        #expect(again.status == 0)
        for f in ["answers.tsv", "export.tsv", "workers.tsv", "qc_log.tsv"] {
            #expect(try Data(contentsOf: run.appendingPathComponent(f)) == Data(contentsOf: dir.appendingPathComponent("run2/\(f)")))
        }
    }

    @Test(arguments: ["audio-gender", "fast-responses"])
    func qcReplayReproducesBans(_ name: String) throws {
        let dir = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = Repository.root.appendingPathComponent("datasets/scenarios/\(name).json").path
        #expect(try CLI.run(["simulate", path, "--seed", "5", "--out-dir", "run", "-q"], in: dir).status == 0)
        let r = try CLI.run(["qc", "replay", "run/export.tsv", "--rules", "run/pool.json", "--gold", "run/gold.tsv", "--out-dir", "replay"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let log = try String(contentsOf: dir.appendingPathComponent("run/qc_log.tsv"), encoding: .utf8)
        #expect(log.split(separator: "\n").count > 1)
        #expect(Set(r.stdout.split(separator: "\n")) == Set(log.split(separator: "\n")))
        let bans = try String(contentsOf: dir.appendingPathComponent("replay/bans.tsv"), encoding: .utf8)
        #expect(bans == r.stdout)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("replay/replay.json"))) as! [String: Any]
        #expect((report["banned_workers"] as! Int) > 0)
        #expect(report["accuracy_without_banned_later_answers"] != nil)
    }

    @Test func qcReplayReadsStandardInput() throws {
        let dir = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLI.run(["simulate", scenario, "--seed", "5", "--out-dir", "run", "-q"], in: dir).status == 0)
        let args = ["--rules", "run/pool.json", "--gold", "run/gold.tsv", "--methods", "mv,wawa"]
        let file = try CLI.run(["qc", "replay", "run/export.tsv"] + args + ["--out-dir", "from-file"], in: dir)
        #expect(file.status == 0, "\(file.stderr)")
        let export = try Data(contentsOf: dir.appendingPathComponent("run/export.tsv"))
        let piped = try CLI.run(["qc", "replay", "-"] + args + ["--out-dir", "from-stdin"], in: dir, stdin: export)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdoutData == file.stdoutData)
        #expect(piped.stdout.split(separator: "\n").count > 1)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("from-stdin/replay.json"))) as! [String: Any]
        let without = try #require(report["accuracy_without_banned_later_answers"] as? [String: Double])
        #expect(without["mv"] != nil && without["wawa"] != nil)
        // The stderr summary names every method scored.
        #expect(piped.stderr.contains("wawa") && piped.stderr.contains("mv"), "\(piped.stderr)")
    }

    @Test func studyWritesTable() throws {
        let dir = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["study", scenario, "--vary", "overlap=1..2", "--vary", "golden_per_suite=0..1", "--seeds", "2", "--methods", "mv", "--out-dir", "study"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let tsv = try String(contentsOf: dir.appendingPathComponent("study/study.tsv"), encoding: .utf8).split(separator: "\n")
        #expect(tsv.count == 5)
        #expect(tsv[0].hasPrefix("overlap\tgolden_per_suite\tseeds\taccuracy_mv_mean"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("study/study.json"))) as! [String: Any]
        #expect((json["points"] as! [Any]).count == 4)
        #expect(try String(contentsOf: dir.appendingPathComponent("study/runs.tsv"), encoding: .utf8).split(separator: "\n").count == 9)
    }

    @Test func badScenarioNamesPathAndWritesNothing() throws {
        let dir = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = try String(contentsOfFile: scenario, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"real_tasks_count\": 4", with: "\"real_tasks_count\": \"four\"")
        try text.write(to: dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["simulate", "bad.json", "--out-dir", "run"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.json: pool.mixer_config.real_tasks_count: expected an integer"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/answers.tsv").path))
        let v = try CLI.run(["study", scenario, "--vary", "overlap=0..2", "--out-dir", "s"], in: dir)
        #expect(v.status != 0)
        #expect(v.stderr.contains("--vary overlap"))
    }
}
