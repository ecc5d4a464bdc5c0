import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore

/// CPU seconds this process has used (all threads), for timing lines on a shared machine.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// `tally evaluate --answers FILE`: how much the crowd agreed, from the answers alone.
///
/// Krippendorff's alpha (nominal for labels, interval for numbers), uncertainty (entropy of each
/// task's answers) and consistency (the posterior of each task's aggregated label), as
/// crowd-kit 1.4.2's `crowdkit.metrics.data` computes them.
struct AgreementMetrics {
    /// The metrics the command line can ask for.
    enum Metric: String, CaseIterable {
        case alpha, uncertainty, consistency
    }

    /// What the agreement report found.
    struct Report {
        var alpha: KrippendorffAlpha?
        var distance = "nominal"
        var uncertainty: Uncertainty?
        var uncertaintySkills = "1"
        var consistency: Consistency?
        var consistencySource = ""
        var answers = 0, tasks = 0, workers = 0
    }

    /// Parses `--metrics` (comma-separated, or all).
    static func parse(_ list: String) throws -> [Metric] {
        let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if items == ["all"] { return Metric.allCases }
        return try items.map { name in
            guard let m = Metric(rawValue: name) else {
                throw InputError(.invalidValue, file: "--metrics", "unknown metric '\(name)'; choose from \(Metric.allCases.map(\.rawValue).joined(separator: ", ")) or all")
            }
            return m
        }
    }

    /// Computes `metrics` on categorical answers. Uncertainty uses `weights` when given, else the
    /// skills of `method` when one was named, else skill 1 (crowd-kit's default); consistency
    /// uses `method`'s labels (majority vote by default) and `weights` or that method's skills.
    static func categorical(_ table: AnswerTable, metrics: [Metric], method: String?, weights: WorkerSkills?,
                            by grouping: Uncertainty.Grouping, quiet: Bool) throws -> Report {
        var report = Report(answers: table.answerCount, tasks: table.taskCount, workers: table.workerCount)
        let given = try weights.map { w -> [Double] in
            let aligned = w.aligned(to: table)
            if let missing = aligned.firstIndex(where: { $0 == nil }) {
                throw MetricError("--weights gives no skill for worker \(ErrorText.quoted(table.workers.name(Int32(missing)))); give every worker a skill")
            }
            return aligned.map { $0! }
        }
        var fitted: MethodResult?
        func fit() throws -> MethodResult {
            if let fitted { return fitted }
            let name = method ?? "mv"
            let descriptor = try MethodRegistry.method(named: name)
            let start = ContinuousClock.now
            let result = try descriptor.fit(table, inputs: MethodInputs(), parameters: MethodParameters(execution: .fromEnvironment()))
            note("\(name): fitted in \(seconds(since: start))", quiet: quiet)
            fitted = result
            return result
        }
        if metrics.contains(.alpha) {
            let start = ContinuousClock.now, cpu = processCPUSeconds()
            report.alpha = try KrippendorffAlpha.nominal(table)
            note("alpha: computed in \(seconds(since: start)) (cpu \(String(format: "%.3f", processCPUSeconds() - cpu)) s)", quiet: quiet)
        }
        if metrics.contains(.uncertainty) {
            var skills = given
            if given != nil { report.uncertaintySkills = "--weights" } else if let method {
                guard let s = try fit().skills else {
                    throw MetricError("uncertainty with --method \(method): \(method) estimates no per-worker skill; give --weights FILE or another method")
                }
                skills = s
                report.uncertaintySkills = "\(method) skills"
            }
            report.uncertainty = try Uncertainty(table, skills: skills, by: grouping)
        }
        if metrics.contains(.consistency) {
            let result = try fit()
            let name = method ?? "mv"
            guard let skills = given ?? result.skills else {
                throw MetricError("consistency needs worker skills: \(name) estimates none; give --weights FILE or another method")
            }
            report.consistency = try Consistency(table, labels: result.labels, skills: skills)
            report.consistencySource = "\(name) labels, " + (given != nil ? "--weights skills" : "\(name) skills")
        }
        return report
    }

    /// The report as text lines.
    static func text(_ r: Report, by grouping: Uncertainty.Grouping) -> String {
        var s = ""
        if let a = r.alpha {
            s += String(format: "krippendorff-alpha  %.4f  (%@; %d tasks with 2 or more answers, %d answers)\n", a.alpha, r.distance, a.pairableTasks, a.pairableAnswers)
        }
        if let u = r.uncertainty {
            s += String(format: "uncertainty         %.4f  (mean entropy in nats over %d %@s; skills: %@)\n", u.mean, u.values.count, grouping.rawValue, r.uncertaintySkills)
        }
        if let c = r.consistency {
            s += String(format: "consistency         %.4f  (mean over %d tasks; %@)\n", c.mean, c.values.count, r.consistencySource)
        }
        return s
    }

    /// The report as members of a JSON object (no braces), indented by two spaces.
    static func jsonMembers(_ r: Report) -> [String] {
        func num(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        var members = ["  \"answers\": \(r.answers)", "  \"tasks\": \(r.tasks)", "  \"workers\": \(r.workers)"]
        if let a = r.alpha {
            members.append("  \"alpha\": \(num(a.alpha))")
            members.append("  \"alpha_distance\": \"\(r.distance)\"")
            members.append("  \"alpha_observed\": \(num(a.observed))")
            members.append("  \"alpha_expected\": \(num(a.expected))")
            members.append("  \"alpha_pairable_tasks\": \(a.pairableTasks)")
        }
        if let u = r.uncertainty {
            members.append("  \"uncertainty\": \(num(u.mean))")
            members.append("  \"uncertainty_by\": \"\(u.grouping.rawValue)\"")
        }
        if let c = r.consistency { members.append("  \"consistency\": \(num(c.mean))") }
        return members
    }

    /// Per-task (or per-worker) values: uncertainty and, per task, consistency.
    static func table(_ r: Report, _ answers: AnswerTable, by grouping: Uncertainty.Grouping, format: OutputFormat) -> [UInt8] {
        var columns: [String] = [], perRow: [[Double]] = []
        if let u = r.uncertainty { columns.append("uncertainty"); perRow.append(u.values) }
        if grouping == .task, let c = r.consistency { columns.append("consistency"); perRow.append(c.values) }
        let keys = grouping == .task ? answers.tasks : answers.workers
        let rows = keys.count
        var values = [Double](repeating: 0, count: rows * columns.count)
        for (c, column) in perRow.enumerated() { for i in 0..<rows { values[i * columns.count + c] = column[i] } }
        return ResultWriter.columns(grouping.rawValue, keys: keys, columns: columns, values: values, format: format)
    }
}

/// `tally evaluate`'s agreement options: the answers and which metrics to compute on them.
struct AgreementOptions: ParsableArguments {
    @Option(help: "The crowd's answers (as tally aggregate reads them): report their agreement.")
    var answers: String?

    @Option(help: ArgumentHelp("Comma-separated agreement metrics: alpha, uncertainty, consistency, or all (default: all).", valueName: "list"))
    var metrics: String = "all"

    @Option(help: ArgumentHelp("The registry method whose labels (consistency) and skills (consistency; uncertainty when named) are used (default: mv).", valueName: "method"))
    var method: String?

    @Option(help: ArgumentHelp("Worker skills (worker, skill) for uncertainty and consistency, instead of the method's.", valueName: "FILE"))
    var weights: String?

    @Option(help: "Uncertainty per task or per worker (for --out and the mean).")
    var by: Uncertainty.Grouping = .task

    @Option(help: "Also write the per-task (or per-worker) values here (TSV, CSV or JSON by extension).")
    var out: String?

    @OptionGroup(title: "Input") var input: InputOptions
    @OptionGroup var kind: AnswerTypeOptions
    @OptionGroup var common: CommonOptions

    /// The kind of answers (and of LABELS): categorical unless --answer-type says otherwise.
    var answerType: AnswerType { kind.answerType ?? .categorical }

    mutating func validate() throws {
        if answerType == .text && answers != nil {
            throw ValidationError("text answers have no agreement metric here; score transcriptions with TEXTS --gold GOLD --answer-type text (word error rate)")
        }
        if answerType != .categorical && answerType != .numeric && answerType != .text {
            throw ValidationError("tally evaluate scores categorical, numeric and text answers; --answer-type \(answerType.rawValue) is not supported here")
        }
        if answers == nil {
            if metrics != "all" || method != nil || weights != nil || by != .task || (out != nil && answerType != .text) {
                throw ValidationError("--metrics, --method, --weights, --by and --out need --answers FILE")
            }
            return
        }
        let parsed: [AgreementMetrics.Metric]
        do { parsed = try AgreementMetrics.parse(metrics) } catch let e as InputError { throw ValidationError(e.message) }
        if answerType == .numeric {
            if metrics != "all" && parsed != [.alpha] {
                throw ValidationError("numeric answers have one agreement metric, alpha (interval); uncertainty and consistency need categorical answers")
            }
            if method != nil || weights != nil || by != .task || out != nil {
                throw ValidationError("--method, --weights, --by and --out apply to the uncertainty and consistency of categorical answers")
            }
        }
        if let method, !((try? MethodRegistry.method(named: method))?.accepts(.categorical) ?? false) {
            throw ValidationError("--method '\(method)': choose a method for categorical answers: \(MethodRegistry.methods(for: .categorical).map(\.name).joined(separator: ", "))")
        }
    }

    /// Reads the answers and computes the report; nil without `--answers`. Writes `--out`.
    func run(json: Bool) throws -> (text: String, report: AgreementMetrics.Report)? {
        guard let answers else { return nil }
        let quiet = common.quiet
        let start = ContinuousClock.now
        if answerType == .numeric {
            let file = try AnswerReader.read(answers, as: .numeric, options: input.readOptions(quiet: quiet))
            guard case .numeric(let n) = file.answers else { preconditionFailure("read as numeric") }
            note("read \(file.answers.summary) (\(seconds(since: start)))", quiet: quiet)
            var report = AgreementMetrics.Report(distance: "interval", answers: n.answerCount, tasks: n.taskCount, workers: n.workerCount)
            let alphaStart = ContinuousClock.now, cpu = processCPUSeconds()
            report.alpha = try KrippendorffAlpha.interval(task: n.task, value: n.value, taskCount: n.taskCount, worker: n.worker)
            note("alpha: computed in \(seconds(since: alphaStart)) (cpu \(String(format: "%.3f", processCPUSeconds() - cpu)) s)", quiet: quiet)
            let text = json ? "{\n" + AgreementMetrics.jsonMembers(report).joined(separator: ",\n") + "\n}\n" : AgreementMetrics.text(report, by: by)
            return (text, report)
        }
        let read = try AnswerReader.read(answers, options: input.readOptions(quiet: quiet))
        let table = read.table
        note("read \(table.answerCount) answers: \(table.taskCount) tasks, \(table.workerCount) workers, \(table.labelCount) labels (\(seconds(since: start)))", quiet: quiet)
        try input.checkLabelCount(table, file: answers == "-" ? "<stdin>" : answers)
        let report = try AgreementMetrics.categorical(table, metrics: try AgreementMetrics.parse(metrics), method: method,
                                                      weights: try weights.map { try WorkerSkills.read($0) }, by: by, quiet: quiet)
        if let out {
            try AtomicFile.write([(AgreementMetrics.table(report, table, by: by, format: OutputFormat(pathExtensionOf: out) ?? .tsv), out)])
        }
        let text = json ? "{\n" + AgreementMetrics.jsonMembers(report).joined(separator: ",\n") + "\n}\n" : AgreementMetrics.text(report, by: by)
        return (text, report)
    }
}

extension Uncertainty.Grouping: ExpressibleByArgument {}
