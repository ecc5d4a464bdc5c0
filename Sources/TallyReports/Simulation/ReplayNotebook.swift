import Foundation
import TallyCore

/// The "pool replay" notebook `tally report` writes for a `tally simulate` folder: the pool's
/// settings and quality-control rules, the crowd and who was banned (the QC log), the cost
/// split, the completion time, false-ban and spam-leak rates and the aggregated accuracy by
/// method, with charts, the commands that made the run, and pandas cells that reload the files.
///
/// Every number comes from the run's files, which the simulator writes from its seed alone
/// (the times in them are simulated), so the same folder gives the same bytes.
public struct ReplayNotebook: Sendable {
    /// The run the notebook shows.
    public var run: SimulationRun {
        didSet { (start, workers) = Self.startAndWorkers(run) }
    }
    /// The notebook's title (by default "Pool replay: " and the scenario's name).
    public var title: String
    /// The run folder as the notebook's Python cells open it (relative to the notebook).
    public var runPath: String
    /// The run folder as given on the command line (for the `tally qc replay` command shown).
    public var runArgument: String
    /// The `tally report` command that wrote the notebook, shown in it when given.
    public var reportCommand: String?
    /// Leave out what depends on the machine (the `cd` lines).
    public var stable: Bool
    /// Extra Markdown for the introduction.
    public var note: String?
    /// At most this many QC log rows are shown in the table (all are in qc_log.tsv).
    public var maxLogRows = 30
    /// The simulation's start (Unix seconds): the last task completion minus the completion time,
    /// else the first arrival, else the first QC action. Read from the run once (tasks.tsv is long).
    private(set) var start: Double?
    /// workers.tsv by worker id, first bans in hours after ``start``.
    private(set) var workers: [String: Worker]

    /// A notebook for `run`, read from the folder `runPath` (relative to the notebook); the other
    /// settings as their properties describe.
    public init(run: SimulationRun, title: String? = nil, runPath: String, runArgument: String? = nil, reportCommand: String? = nil, stable: Bool = false, note: String? = nil) {
        self.run = run
        self.title = title ?? "Pool replay: \(run.summary["scenario"]?.stringValue ?? "simulation")"
        self.runPath = runPath
        self.runArgument = runArgument ?? runPath
        self.reportCommand = reportCommand
        self.stable = stable
        self.note = note
        (start, workers) = Self.startAndWorkers(run)
    }

    var summary: JSONValue { run.summary }
    func num(_ path: String...) -> Double? {
        var v: JSONValue? = summary
        for k in path { v = v?[k] }
        return v?.doubleValue
    }

    /// One worker: type, whether good, expected accuracy, and first ban (hours after the start).
    struct Worker { var type: String; var good: Bool?; var expected: Double?; var bannedAt: Double? }

    static func startAndWorkers(_ run: SimulationRun) -> (Double?, [String: Worker]) {
        let start = startTime(run)
        return (start, readWorkers(run, start: start))
    }

    static func startTime(_ run: SimulationRun) -> Double? {
        if let tasks = run.tasks, let c = tasks.column("completed_at"), let closed = run.summary["pool"]?["closed_after_seconds"]?.doubleValue,
           let last = tasks.rows.compactMap({ TolokaTime.parse($0[c]) }).max() {
            return last - closed
        }
        if let w = run.workers, let a = w.column("arrived"), let first = w.rows.compactMap({ TolokaTime.parse($0[a]) }).min() { return first }
        return run.qcLog.rows.compactMap { TolokaTime.parse($0[0]) }.min()
    }

    static func hours(_ time: String, from start: Double?) -> Double? {
        guard let start, let t = TolokaTime.parse(time) else { return nil }
        return (t - start) / 3600
    }

    func hours(_ time: String, from start: Double?) -> Double? { Self.hours(time, from: start) }

    static func readWorkers(_ run: SimulationRun, start s: Double?) -> [String: Worker] {
        guard let t = run.workers else { return [:] }
        let w = t.column("worker")!, type = t.column("type")!, good = t.column("good"), expected = t.column("expected_accuracy"), ban = t.column("first_banned")!
        var out: [String: Worker] = [:]
        for r in t.rows {
            out[r[w]] = Worker(type: r[type], good: good.map { r[$0] == "true" }, expected: expected.flatMap { Double(r[$0]) },
                               bannedAt: r[ban].isEmpty ? nil : hours(r[ban], from: s) ?? .nan)
        }
        return out
    }

    /// Worker types in order of first appearance in workers.tsv.
    var types: [String] {
        guard let t = run.workers, let c = t.column("type") else { return [] }
        var seen = Set<String>()
        return t.rows.map { $0[c] }.filter { seen.insert($0).inserted }
    }

    /// Builds the notebook.
    public func notebook() -> Notebook {
        var nb = Notebook()
        let scenario = summary["scenario"]?.stringValue ?? "?"
        let seed = num("seed").map { NotebookText.value($0) } ?? "?"
        var intro = "# \(title)\n\n"
        intro += "One run of the `\(scenario)` scenario through Tally's pool simulator (seed \(seed)): a simulated crowd answers the pool's tasks "
        intro += "while the pool's quality-control rules, in Toloka's own JSON shape, ban workers as Toloka would. "
        intro += "Below: the pool's settings and rules, the crowd and who was banned (the QC log), what it cost, how long it took, "
        intro += "how often the rules banned a good worker or let spam through, and how accurate each aggregation method is on the accepted answers.\n"
        nb.appendOpening(intro, note: note, provenance: provenance())
        nb.append(.markdown(poolSection(), id: "pool"))
        nb.append(.markdown(workersSection(), id: "workers"))
        if let chart = workersChart() {
            nb.append(.vegaLite(chart, id: "workers-chart", executionCount: 1))
        }
        nb.append(.markdown(bansSection(), id: "bans"))
        nb.append(.markdown(costSection(), id: "cost"))
        nb.append(.markdown(timeSection(), id: "completion"))
        if let chart = completionChart() {
            nb.append(.vegaLite(chart, id: "completion-chart", executionCount: 2))
        }
        nb.append(.markdown(qualitySection(), id: "quality"))
        nb.append(.markdown(accuracySection(), id: "accuracy"))
        if let chart = accuracyChart() {
            nb.append(.vegaLite(chart, id: "accuracy-chart", executionCount: 3))
        }
        nb.append(.markdown(reloadIntro, id: "reload-title"))
        nb.append(.code(loadSource(), id: "load-run"))
        nb.append(.code(crossCheckSource(), id: "crosscheck"))
        return nb
    }

    /// The charts, by file name (for `--charts`).
    public func charts() -> [(name: String, spec: VegaLite)] {
        [("workers", workersChart()), ("completion", completionChart()), ("accuracy", accuracyChart())].compactMap { n, c in c.map { (n, $0) } }
    }

    func provenance() -> String {
        var s = "## How this run was made\n\n"
        let commands = NotebookText.commands(run.commands, stable: stable)
        if commands.isEmpty {
            s += "The run folder does not record its command (it was written by an older `tally simulate`).\n"
        } else {
            s += NotebookText.shell(commands)
        }
        s += "\nThe same scenario and seed give the same files byte for byte. The bans can be replayed from the Toloka export alone, with the pool's rules:\n\n"
        let dir = runArgument
        s += NotebookText.shell([BenchRun.shellLine(["tally", "qc", "replay", dir + "/export.tsv", "--rules", dir + "/pool.json", "--gold", dir + "/gold.tsv"])])
        return s + NotebookText.provenanceEnd(reportCommand: reportCommand, stable: stable)
    }

    func poolSection() -> String {
        let pool = run.pool
        var s = "## The pool\n\n"
        if let name = pool["private_name"]?.stringValue { s += "**\(name)**\n\n" }
        var rows: [[String]] = []
        func add(_ name: String, _ value: JSONValue?, _ format: (Double) -> String = { NotebookText.value($0) }) {
            if let x = value?.doubleValue { rows.append([name, format(x)]) } else if let t = value?.stringValue { rows.append([name, t]) } else if case .bool(let b)? = value { rows.append([name, b ? "yes" : "no"]) }
        }
        add("reward per assignment (USD)", pool["reward_per_assignment"]) { String(format: "%.4g", $0) }
        add("fee per assignment (USD)", summary["cost"]?["fee_per_assignment"]) { String(format: "%.4g", $0) }
        add("overlap", pool["defaults"]?["default_overlap_for_new_tasks"] ?? pool["defaults"]?["default_overlap_for_new_task_suites"])
        add("general tasks per suite", pool["mixer_config"]?["real_tasks_count"])
        add("control (golden) tasks per suite", pool["mixer_config"]?["golden_tasks_count"])
        add("training tasks per suite", pool["mixer_config"]?["training_tasks_count"])
        add("assignment time limit (s)", pool["assignment_max_duration_seconds"])
        if let d = pool["dynamic_overlap_config"] {
            add("dynamic overlap: max overlap", d["max_overlap"])
            add("dynamic overlap: min confidence", d["min_confidence"])
        }
        add("tasks", summary["pool"]?["tasks"])
        add("share of control tasks in submitted suites", summary["assignments"]?["control_share"]) { NotebookText.percent($0) }
        s += NotebookText.table(["setting", "value"], rows, right: [1])
        s += "\n### Quality-control rules\n\n"
        let configs = pool["quality_control"]?["configs"]?.arrayValue ?? []
        if configs.isEmpty { s += "None.\n" }
        for (i, config) in configs.enumerated() {
            let collector = config["collector_config"]
            let parameters = (collector?["parameters"]).map(Self.inline) ?? ""
            s += "\(i + 1). `\(collector?["type"]?.stringValue ?? "?")`" + (parameters.isEmpty ? "" : " (\(parameters))") + "\n"
            for rule in config["rules"]?.arrayValue ?? [] {
                let conditions = (rule["conditions"]?.arrayValue ?? []).map { c in
                    "`\(c["key"]?.stringValue ?? "?")` \(Self.operators[c["operator"]?.stringValue ?? ""] ?? c["operator"]?.stringValue ?? "?") \(c["value"].map(Self.inline) ?? "?")"
                }
                let action = rule["action"]
                let parameters = (action?["parameters"]).map(Self.inline) ?? ""
                s += "   - if \(conditions.joined(separator: " and ")) → `\(action?["type"]?.stringValue ?? "?")`" + (parameters.isEmpty ? "" : " (\(parameters))") + "\n"
            }
        }
        s += "\n<details><summary>pool.json</summary>\n\n```json\n" + run.pool.serialized(indent: 2) + "\n```\n\n</details>\n"
        return s
    }

    static let operators = ["LTE": "≤", "LT": "<", "GTE": "≥", "GT": ">", "EQ": "=", "NE": "≠"]

    /// A JSON value in one line: objects as `key: value, …`, strings bare.
    static func inline(_ v: JSONValue) -> String {
        switch v {
        case .object(let o): return o.keys.sorted().map { "\($0): \(inline(o[$0]!))" }.joined(separator: ", ")
        case .string(let s): return s
        case .int, .double: return NotebookText.value(v.doubleValue!)
        default: return v.serialized()
        }
    }

    func workersSection() -> String {
        var s = "## The crowd and the bans\n\n"
        let w = summary["workers"]
        s += "\(NotebookText.value(w?["arrived"]?.doubleValue)) workers arrived and \(NotebookText.value(w?["worked"]?.doubleValue)) worked; "
        s += "the rules banned \(NotebookText.value(w?["banned"]?.doubleValue)), \(NotebookText.value(w?["banned_good"]?.doubleValue)) of them good workers. "
        s += "A worker's type and true accuracy come from the scenario (workers.tsv); the observed accuracy is that of their accepted answers on general tasks.\n\n"
        let all = workers
        guard !all.isEmpty else { return s + "(workers.tsv is missing: no table by type.)\n" }
        let observed = summary["observed_accuracy_by_type"]
        var rows: [[String]] = []
        for type in types {
            let group = all.values.filter { $0.type == type }
            let banned = group.filter { $0.bannedAt != nil }.count
            let expected = group.compactMap(\.expected)
            rows.append([
                type, "\(group.count)", "\(banned)", NotebookText.percent(Double(banned) / Double(group.count)),
                NotebookText.number(expected.isEmpty ? nil : expected.reduce(0, +) / Double(expected.count), 3),
                NotebookText.number(observed?[type]?.doubleValue, 3),
            ])
        }
        s += NotebookText.table(["type", "workers", "banned", "banned share", "mean true accuracy", "observed accuracy"], rows, right: [1, 2, 3, 4, 5])
        return s
    }

    func workersChart() -> VegaLite? {
        let all = workers
        guard !all.isEmpty else { return nil }
        var values: [JSONValue] = []
        for type in types {
            let group = all.values.filter { $0.type == type }
            let banned = group.filter { $0.bannedAt != nil }.count
            values.append(["type": .string(type), "outcome": "kept", "workers": .number(Double(group.count - banned))])
            values.append(["type": .string(type), "outcome": "banned", "workers": .number(Double(banned))])
        }
        return VegaLite.rowChart(
            .init("Workers by type: kept or banned", subtitle: "workers.tsv; a worker counts as banned after their first ban."),
            description: "Workers of each type in the simulated crowd, split by whether the pool's rules banned them (tally simulate).",
            width: 420, step: 26, values: values,
            mark: .init("bar"),
            encoding: .init(
                x: .quantitative("workers", title: "workers"),
                y: .nominal("type", title: "worker type", sort: .array(types.map { .string($0) })),
                color: VegaLite.FieldDef(field: "outcome", type: "nominal", title: "outcome", scale: VegaLite.Scale(domain: ["kept", "banned"], scheme: "tableau10"), sort: ["kept", "banned"]),
                order: VegaLite.FieldDef(field: "outcome", type: "nominal", sort: "descending"),
                tooltip: [.nominal("type"), .nominal("outcome"), .quantitative("workers")]))
    }

    func bansSection() -> String {
        var s = "### The QC log\n\n"
        let log = run.qcLog
        let c = { (name: String) in log.column(name) }
        let all = workers
        let start = self.start
        s += "\(log.rows.count) rule action\(log.rows.count == 1 ? "" : "s") (qc_log.tsv), hours after the pool opened"
        s += log.rows.count > maxLogRows ? "; the first \(maxLogRows) shown:\n\n" : ":\n\n"
        var rows: [[String]] = []
        for r in log.rows.prefix(maxLogRows) {
            let worker = r[c("worker")!]
            let info = all[worker]
            rows.append([
                NotebookText.number(hours(r[c("time")!], from: start), 2), worker,
                info?.type ?? "", info?.good.map { $0 ? "yes" : "no" } ?? "",
                r[c("rule")!], r[c("action")!] + (c("scope").map { r[$0].isEmpty ? "" : " " + r[$0] } ?? ""),
                c("statistics").map { r[$0] } ?? "",
            ])
        }
        if rows.isEmpty { return s + "No rule fired.\n" }
        s += NotebookText.table(["hours", "worker", "type", "good worker", "rule", "action", "statistics when it fired"], rows, right: [0])
        return s
    }

    func costSection() -> String {
        var s = "## Cost\n\n"
        let items: [(String, Double?)] = [
            ("general tasks (workers never banned)", num("cost", "real")),
            ("control tasks (workers never banned)", num("cost", "golden")),
            ("everything paid to workers who were banned", num("cost", "wasted")),
            ("total", num("cost", "total")),
            ("of which rewards", num("cost", "rewards")),
            ("of which Toloka's fees", num("cost", "fees")),
            ("per completed task", num("cost", "per_completed_task")),
        ]
        let rows = items.map { [$0.0, NotebookText.number($0.1, 4)] }
        s += NotebookText.table(["USD", "amount"], rows, right: [1])
        let a = summary["assignments"]
        s += "\nAssignments: \(NotebookText.value(a?["issued"]?.doubleValue)) issued, \(NotebookText.value(a?["submitted"]?.doubleValue)) submitted, "
        s += "\(NotebookText.value(a?["accepted"]?.doubleValue)) accepted, \(NotebookText.value(a?["rejected"]?.doubleValue)) rejected, "
        s += "\(NotebookText.value(a?["skipped"]?.doubleValue)) skipped, \(NotebookText.value(a?["expired"]?.doubleValue)) expired.\n"
        return s
    }

    func timeSection() -> String {
        var s = "## Completion time\n\n"
        let p = summary["pool"]
        let h = { (x: Double?) in x.map { NotebookText.number($0 / 3600, 2) + " h" } ?? "—" }
        s += "The pool closed \(p?["close_reason"]?.stringValue ?? "?") after \(h(p?["closed_after_seconds"]?.doubleValue)), "
        s += "with \(NotebookText.value(p?["tasks_completed"]?.doubleValue)) of \(NotebookText.value(p?["tasks"]?.doubleValue)) tasks complete. "
        s += "Half the tasks had all their answers after \(h(p?["task_completion_seconds_p50"]?.doubleValue)), 90 % after \(h(p?["task_completion_seconds_p90"]?.doubleValue)).\n"
        return s
    }

    func completionChart() -> VegaLite? {
        guard let t = run.tasks, let c = t.column("completed_at"), let kind = t.column("kind") else { return nil }
        let start = self.start
        let times = t.rows.filter { $0[kind] == "general" }.compactMap { hours($0[c], from: start) }.sorted()
        guard !times.isEmpty else { return nil }
        let total = t.rows.filter { $0[kind] == "general" }.count
        // At most ~200 points: every k-th completion, and the last.
        let step = max(1, times.count / 200)
        var values: [JSONValue] = [["hours": 0, "completed": 0, "share": 0]]
        for i in stride(from: step - 1, to: times.count, by: step) + (times.count % step == 0 ? [] : [times.count - 1]) {
            values.append(["hours": .rounded(times[i], decimals: 4), "completed": .number(Double(i + 1)), "share": .rounded(Double(i + 1) / Double(total), decimals: 4)])
        }
        return VegaLite(
            schema: VegaLite.schemaURL,
            title: .init("Tasks completed over time", subtitle: "General tasks with all their answers, hours after the pool opened (tasks.tsv)."),
            description: "Cumulative number of general tasks that reached their overlap, over simulated time (tally simulate).",
            width: 480, height: 240,
            data: .init(values: values),
            mark: .init("line", point: false),
            encoding: .init(
                x: .quantitative("hours", title: "hours after the pool opened"),
                y: .quantitative("completed", title: "tasks completed"),
                tooltip: [.quantitative("hours", format: ".2f"), .quantitative("completed"), .quantitative("share", title: "share of tasks", format: ".1%")]))
    }

    func qualitySection() -> String {
        var s = "## Quality control: false bans and spam leak\n\n"
        s += NotebookText.table(["measure", "value"], [
            ["false-ban rate (banned workers who were good)", NotebookText.percent(num("workers", "false_ban_rate"))],
            ["good workers banned (of the good workers who worked)", NotebookText.percent(num("workers", "good_banned_share"))],
            ["spam leak rate (spam answers that ended in the accepted data)", NotebookText.percent(num("spam", "leak_rate"))],
            ["spam share of the accepted data", NotebookText.percent(num("spam", "share_of_accepted_data"))],
            ["spam answers submitted", NotebookText.value(num("spam", "spam_answers"))],
        ], right: [1])
        s += "\nA ban stops a worker's later answers; the answers they gave before it stay in the accepted data, which is why spam can leak even when every spammer is banned.\n"
        return s
    }

    var accuracies: [(method: String, accuracy: Double)] {
        guard case .object(let o)? = summary["aggregators"] else { return [] }
        let order = BenchMethod.all.map(\.name)
        return o.compactMap { k, v in v.doubleValue.map { (k, $0) } }
            .sorted { (order.firstIndex(of: $0.method) ?? order.count, $0.method) < (order.firstIndex(of: $1.method) ?? order.count, $1.method) }
    }

    func accuracySection() -> String {
        var s = "## Aggregated accuracy by method\n\n"
        let rows = accuracies
        guard !rows.isEmpty else { return s + "summary.json holds no aggregator accuracies (run `tally simulate` with `--methods mv,ds`).\n" }
        s += "Each method aggregates the accepted answers (answers.tsv) into one label per task, scored against the tasks' true labels (gold.tsv).\n\n"
        let best = rows.map(\.accuracy).max()
        s += NotebookText.table(["method", "accuracy"], rows.map { [$0.method, $0.accuracy == best ? "**\(NotebookText.number($0.accuracy))**" : NotebookText.number($0.accuracy)] }, right: [1])
        return s
    }

    func accuracyChart() -> VegaLite? {
        let rows = accuracies
        guard !rows.isEmpty else { return nil }
        return VegaLite.rowChart(
            .init("Accuracy by aggregation method", subtitle: "Accepted answers aggregated per task, scored against the true labels."),
            description: "Accuracy of each aggregation method on the simulated pool's accepted answers (tally simulate).",
            width: 420, step: 24, values: rows.map { ["method": .string($0.method), "accuracy": .rounded($0.accuracy, decimals: 4)] },
            mark: .init("point", filled: true, size: 120),
            encoding: .init(
                x: .quantitative("accuracy", title: "accuracy on all tasks", scale: VegaLite.Scale(zero: false)),
                y: .nominal("method", title: "method", sort: .array(rows.map { .string($0.method) })),
                color: .nominal("method"),
                tooltip: [.nominal("method"), .quantitative("accuracy", format: ".4f")]))
    }

    var reloadIntro: String {
        "## Reload the run in pandas\n\nThe cells below are not run; they read the run folder (made by the commands above; set `RUN` if it has moved) "
            + "and, with `pip install crowd-kit`, re-run the same aggregation methods in crowd-kit for a cross-check.\n"
    }

    func loadSource() -> String {
        """
        import json
        from pathlib import Path

        import pandas as pd

        RUN = Path(\(NotebookText.pythonString(runPath)))
        summary = json.loads((RUN / "summary.json").read_text())
        workers = pd.read_csv(RUN / "workers.tsv", sep="\\t")
        qc_log = pd.read_csv(RUN / "qc_log.tsv", sep="\\t")
        workers["banned"] = workers["first_banned"].notna()
        workers.groupby("type", sort=False).agg(
            workers=("worker", "size"), banned=("banned", "sum"), true_accuracy=("expected_accuracy", "mean")
        )
        """
    }

    func crossCheckSource() -> String {
        let mapped = BenchNotebook.crowdKitClasses.filter { m in accuracies.contains { $0.method == m.method } }
        var s = "# The accuracies in summary.json beside crowd-kit's on the same accepted answers.\n"
        s += NotebookText.crowdKitTable(mapped)
        s += #"""
            answers = pd.read_csv(RUN / "answers.tsv", sep="\t", dtype=str, keep_default_na=False)
            gold = pd.read_csv(RUN / "gold.tsv", sep="\t", dtype=str, keep_default_na=False).set_index("task")["label"]
            rows = []
            for method, tally_accuracy in summary.get("aggregators", {}).items():
                if method in CROWDKIT:
                    predicted = CROWDKIT[method]().fit_predict(answers[["task", "worker", "label"]])
                    common = gold.index.intersection(predicted.index)
                    crowdkit = float((predicted.loc[common] == gold.loc[common]).mean())
                else:
                    crowdkit = float("nan")
                rows.append({"method": method, "tally": tally_accuracy, "crowdkit": crowdkit})
            pd.DataFrame(rows)
            """#
        return s
    }
}
