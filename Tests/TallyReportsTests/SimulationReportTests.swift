import Foundation
import Testing
import TallyCore
@testable import TallyReports
import TallyTestSupport

/// Report notebooks for `tally simulate` and `tally study` folders, from small hand-made files.
@Suite("Report notebooks: pool replay and study")
struct SimulationReportTests {
    func folder(_ files: [String: String]) throws -> URL {
        let dir = try makeTempDirectory("tally-simreport")
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return dir
    }

    static let summary = #"""
        {"aggregators": {"ds": 0.9, "mv": 0.85}, "assignments": {"accepted": 10, "control_share": 0.2, "expired": 0, "issued": 11, "rejected": 0, "skipped": 1, "submitted": 10},
         "commands": ["cd /somewhere", "tally simulate s.json --seed 4 --out run"],
         "cost": {"fee_per_assignment": 0.005, "fees": 0.05, "golden": 0.02, "per_completed_task": 0.0375, "real": 0.08, "rewards": 0.1, "total": 0.15, "wasted": 0.05},
         "observed_accuracy_by_type": {"good": 0.9, "uniform_spammer": 0.5},
         "pool": {"accepted_general_answers": 30, "close_reason": "COMPLETED", "closed_after_seconds": 7200, "task_completion_seconds_max": 7200, "task_completion_seconds_p50": 3600, "task_completion_seconds_p90": 6000, "tasks": 4, "tasks_completed": 4},
         "scenario": "tiny", "seed": 4, "spam": {"leak_rate": 0.5, "share_of_accepted_data": 0.1, "spam_answers": 4, "spam_answers_accepted": 2},
         "workers": {"arrived": 3, "banned": 1, "banned_good": 0, "by_type": {"good": 2, "uniform_spammer": 1}, "false_ban_rate": 0, "good": 2, "good_banned_share": 0, "worked": 3}}
        """#
    static let pool = #"""
        {"reward_per_assignment": 0.01, "defaults": {"default_overlap_for_new_tasks": 3}, "mixer_config": {"real_tasks_count": 4, "golden_tasks_count": 1},
         "quality_control": {"configs": [{"collector_config": {"type": "GOLDEN_SET", "parameters": {"history_size": 10}},
           "rules": [{"conditions": [{"key": "golden_set_correct_answers_rate", "operator": "LTE", "value": 80}], "action": {"type": "RESTRICTION_V2", "parameters": {"scope": "POOL"}}}]}]}}
        """#
    static let files: [String: String] = [
        "summary.json": summary, "pool.json": pool,
        "qc_log.tsv": "time\tworker\trule\taction\tscope\tuntil\tstatistics\tcomment\n2024-01-01T00:30:00.000\tw3\tconfigs[0].rules[0]\tRESTRICTION_V2\tPOOL\t\tgolden_set_correct_answers_rate=0\t\n",
        "workers.tsv": "worker\ttype\tgood\texpected_accuracy\tfirst_banned\nw1\tgood\ttrue\t0.9\t\nw2\tgood\ttrue\t0.8\t\nw3\tuniform_spammer\tfalse\t0.5\t2024-01-01T00:30:00.000\n",
        "tasks.tsv": "task\tkind\tcompleted_at\nt1\tgeneral\t2024-01-01T00:30:00.000\nt2\tgeneral\t2024-01-01T01:00:00.000\nt3\tgeneral\t2024-01-01T01:30:00.000\nt4\tgeneral\t2024-01-01T02:00:00.000\ng1\tgolden\t\n",
    ]

    @Test("pool replay: rules, workers and bans, cost, time, rates, accuracy, three charts; stable drops the cd line; same bytes twice")
    func replay() throws {
        let dir = try folder(Self.files)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try ReportFolder.kind(of: dir.path) == .simulation)
        let run = try SimulationRun.read(folder: dir.path)
        let builder = ReplayNotebook(run: run, runPath: "../run", runArgument: "run", reportCommand: "tally report run --notebook r.ipynb --stable", stable: true)
        let text = NotebookWriter.text(builder.notebook())
        #expect(text == NotebookWriter.text(builder.notebook()))
        let nb = builder.notebook()
        func source(_ id: String) throws -> String { try #require(nb.cells.first { $0.id == id }?.source, "no cell \(id)") }
        #expect(try source("title").hasPrefix("# Pool replay: tiny\n"))
        let provenance = try source("provenance")
        #expect(provenance.contains("```sh\ntally simulate s.json --seed 4 --out run\n```") && !provenance.contains("cd /somewhere"))
        #expect(provenance.contains("tally qc replay run/export.tsv --rules run/pool.json --gold run/gold.tsv"))
        #expect(try source("pool").contains("if `golden_set_correct_answers_rate` ≤ 80 → `RESTRICTION_V2` (scope: POOL)"))
        #expect(try source("workers").contains("| uniform_spammer | 1 | 1 | 100.0 % | 0.500 | 0.500 |"))
        #expect(try source("bans").contains("| 0.50 | w3 | uniform_spammer | no | configs[0].rules[0] | RESTRICTION_V2 POOL |"))
        #expect(try source("cost").contains("| total | 0.1500 |"))
        #expect(try source("completion").contains("COMPLETED after 2.00 h") && (try source("completion")).contains("90 % after 1.67 h"))
        #expect(try source("quality").contains("| spam leak rate (spam answers that ended in the accepted data) | 50.0 % |"))
        #expect(try source("accuracy").contains("| mv | 0.8500 |\n| ds | **0.9000** |"))
        #expect(try source("load-run").contains("RUN = Path(\"../run\")"))
        #expect(try source("crosscheck").contains("from crowdkit.aggregation import DawidSkene, MajorityVote"))
        #expect(builder.charts().map(\.name) == ["workers", "completion", "accuracy"])
        // The completion curve starts at the pool's opening: the last completion minus the completion time.
        let completion = try #require(builder.charts().first { $0.name == "completion" }?.spec.data?.values)
        #expect(completion.map { $0["hours"]?.doubleValue } == [0, 0.5, 1, 1.5, 2])
    }

    @Test("a simulate folder with a bad file: the file named")
    func badSimulationFolder() throws {
        var files = Self.files
        files["pool.json"] = "{not json"
        let dir = try folder(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: InputError.self) { try SimulationRun.read(folder: dir.path) }
        do { _ = try SimulationRun.read(folder: dir.path) } catch let e as InputError {
            #expect(e.file == dir.path + "/pool.json" && e.code == .invalidJSON, "\(e)")
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("qc_log.tsv"))
        try Data("{}".utf8).write(to: dir.appendingPathComponent("pool.json"))
        do { _ = try SimulationRun.read(folder: dir.path); Issue.record("no error") } catch let e as InputError {
            #expect(e.file.hasSuffix("qc_log.tsv"), "\(e)")
        }
    }

    static func studyJSON(stable: Bool = false) -> String {
        var points: [String] = []
        for o in [1, 3] {
            for g in [0, 1] {
                for t in [60, 80] {
                    let acc = 0.7 + 0.05 * Double(o) + 0.01 * Double(g)
                    points.append(#"{"overlap": \#(o), "golden_per_suite": \#(g), "golden_threshold": \#(t), "seeds": 2, "accuracy_mv_mean": \#(acc), "accuracy_mv_sd": 0.01, "cost_mean": \#(0.4 * Double(o)), "cost_sd": 0, "false_ban_rate_mean": \#(g == 0 ? "null" : "0.25"), "false_ban_rate_sd": null, "hours_mean": 1, "hours_sd": 0.1}"#)
                }
            }
        }
        return #"{"parameters": ["overlap", "golden_per_suite", "golden_threshold"], "methods": ["mv"], "seeds": 2, "scenario": "datasets/scenarios/audio-gender.json", "commands": ["cd /x", "tally study s --out st"], "points": [\#(points.joined(separator: ","))]}"#
    }

    @Test("study: table, one accuracy-versus-cost chart per method plus false bans, series = the non-overlap parameters")
    func study() throws {
        let dir = try folder(["study.json": Self.studyJSON()])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try ReportFolder.kind(of: dir.path) == .study)
        let study = try StudyResults.read(folder: dir.path)
        #expect(study.parameters == ["overlap", "golden_per_suite", "golden_threshold"] && study.methods == ["mv"] && study.seeds == 2)
        let builder = StudyNotebook(study: study, studyPath: "../st", stable: true)
        #expect(try builder.axes().sweep == "overlap" && (try builder.axes().series) == ["golden_per_suite", "golden_threshold"])
        let nb = try builder.notebook()
        #expect(NotebookWriter.text(nb) == NotebookWriter.text(try builder.notebook()))
        func source(_ id: String) throws -> String { try #require(nb.cells.first { $0.id == id }?.source, "no cell \(id)") }
        #expect(try source("title").hasPrefix("# Study: audio-gender\n"))
        #expect(try source("title").contains("8 points × 2 seeds = 16 runs"))
        #expect(try source("provenance").contains("```sh\ntally study s --out st\n```"))
        #expect(try source("table").contains("| 3 | 1 | 80 | 0.860 ± 0.010 | 1.200 ± 0.000 |"))
        #expect(try source("curves-title").contains("those lines coincide"))
        let charts = try builder.charts()
        #expect(charts.map(\.name) == ["accuracy-mv-vs-cost", "false-ban-rate-vs-cost"])
        let spec = charts[0].spec
        #expect(spec.encoding?.color?.field == "setting" && spec.encoding?.color?.type == "nominal")
        #expect(spec.data?.values.first?["setting"] == "golden_per_suite=0, golden_threshold=60")
        #expect(spec.title?.subtitle == "One line per setting, along overlap.")

        // One series parameter: it colours the lines itself (ordinal); a parameter not varied is refused.
        let one = try StudyNotebook(study: study, studyPath: ".", series: ["golden_threshold"]).charts()[0].spec
        #expect(one.encoding?.color?.field == "golden_threshold" && one.encoding?.color?.type == "ordinal")
        #expect(throws: ChartTable.Error.self) { try StudyNotebook(study: study, studyPath: ".", series: ["reward"]).notebook() }
    }

    @Test("bench --stable: no date, commit, folders, cd lines or fit times; the data sets' commands shown first")
    func benchStable() throws {
        var builder = BenchNotebook(results: Sample.results, title: "Sample bench", resultsPath: "../bench", reportCommand: "tally report bench --notebook nb/r.ipynb --stable")
        builder.stable = true
        builder.datasetsPath = "../sets"
        builder.datasetCommands = ["cd /data", "tally simulate a.json --seed 1 --out sets/alpha"]
        let text = NotebookWriter.text(builder.notebook())
        for gone in ["2026-01-02", "0123456789abcdef", "/data", "time-chart\"", "fit-time"] {
            #expect(!text.contains(gone), "\(gone) should be left out")
        }
        #expect(text.contains("DATASETS = Path(\\\"../sets\\\")"))
        let provenance = builder.provenance()
        #expect(provenance.hasPrefix("## How these results were made\n\nThe data sets:\n\n```sh\ntally simulate a.json --seed 1 --out sets/alpha\n```\n\nThe benchmark:\n\n```sh\ntally bench --datasets sets --methods mv,ds,wawa --out bench\n```\n"))
        #expect(builder.charts().map(\.name) == ["accuracy"])
    }

    @Test("folder kinds: bench before study before simulation; none of them names all three")
    func kinds() throws {
        let empty = try folder(["notes.txt": "x"])
        defer { try? FileManager.default.removeItem(at: empty) }
        do { _ = try ReportFolder.kind(of: empty.path); Issue.record("no error") } catch let e as InputError {
            #expect(e.code == .fileNotFound && e.message.contains("`tally simulate` (summary.json") && e.message.contains("`tally study` (study.json)"), "\(e)")
        }
        let both = try folder(["results.tsv": "x", "summary.json": "{}"])
        defer { try? FileManager.default.removeItem(at: both) }
        #expect(try ReportFolder.kind(of: both.path) == .bench)
    }
}
