import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore
import TolokaClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `tally toloka run`: the notebook's whole workflow from one file, resumable.
struct TolokaRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create the project and pool, upload tasks, open, wait, download and aggregate — resumably.",
        discussion: """
            WORKFLOW is a tally-toloka-workflow/1 file (see datasets/toloka-audio-gender/workflow.json): \
            the project and pool as Toloka's JSON and a TSV task list (INPUT:… columns, optional GOLDEN:… column).

            Every created id and upload batch is recorded in --state as it happens. Run the same \
            command again after a crash, Ctrl-C, network failure or --timeout and it continues where it \
            stopped: no second project, pool or task, no lost or repeated assignment.

            Writes into --out-dir: assignments.jsonl (as downloaded), assignments.tsv (Toloka's export \
            format), answers.tsv (crowd-kit task/worker/label, real tasks), gold.tsv, labels.tsv, \
            probabilities.tsv, skills.tsv and summary.json (counts, cost, method).

            A workflow may also declare skills (looked up by name or created; ${skill:NAME} in the pool \
            becomes the id), a training pool (tasks with known answers and hints, a passing score the main \
            pool requires), skill filters on the main pool, and toloka_aggregation (Toloka's own \
            DAWID_SKENE or WEIGHTED_DYNAMIC_OVERLAP result, written to toloka_labels.tsv and compared with \
            --method in summary.json). See docs/toloka-workflows.md.
            """
    )

    @Argument(help: "The workflow file.")
    var workflow: String

    @Option(help: "State file recording the run's progress (created if absent).")
    var state: String

    @OptionGroup var output: OutputFolderOptions

    @Option(help: ArgumentHelp("Aggregation method: \(MethodRegistry.methods(for: .categorical).filter { !$0.needsGold }.map(\.name).joined(separator: ", ")).", valueName: "method"))
    var method: String = "ds"

    @Option(help: "Seconds between checks of the pool while waiting (default: the workflow's).")
    var pollInterval: Double?

    @Option(help: ArgumentHelp("Stop after this many seconds, waiting included (exit 75); the state is kept, so the same command run again continues. Default: no limit.", valueName: "seconds"))
    var timeout: Double?

    @Flag(help: "Print the requests the run would make from the current state, and send none.")
    var dryRun = false

    @OptionGroup var connection: TolokaConnectionOptions

    mutating func validate() throws {
        guard let m = MethodRegistry.methods(for: .categorical).first(where: { $0.name == method }) else {
            if let other = MethodRegistry.all.first(where: { $0.name == method }) {
                throw ValidationError("\(method) takes \(other.answerTypes.map(\.rawValue).joined(separator: " or ")) answers; a Toloka run aggregates categorical labels (choose from \(MethodRegistry.methods(for: .categorical).filter { !$0.needsGold }.map(\.name).joined(separator: ", ")))")
            }
            throw ValidationError("unknown method '\(method)'; choose from \(MethodRegistry.methods(for: .categorical).filter { !$0.needsGold }.map(\.name).joined(separator: ", "))")
        }
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds; got \(timeout)")
        }
        if m.needsGold {
            throw ValidationError("\(method) needs gold answers among the aggregated ones; golden tasks are left out of the run's answers (use tally aggregate on assignments.tsv)")
        }
    }

    func run() async throws {
        let out = output.folder(quiet: connection.quiet)
        let wf = try await reportingTolokaErrors { try Workflow.load(workflow) }
        if dryRun {
            try await reportingTolokaErrors {
                let client = try connection.client(credential: nil)
                let runner = try WorkflowRunner(workflow: wf, client: client, statePath: state, outDir: out)
                for r in try runner.plannedRequests() { print(describe(r)) }
            }
            return
        }
        let credential = try await reportingTolokaErrors { try connection.credential() }
        try await reportingTolokaErrors(credential) {
            let client = try connection.client(credential: credential)
            let runner = try WorkflowRunner(workflow: wf, client: client, statePath: state, outDir: out)
            runner.pollInterval = pollInterval
            runner.timeout = timeout
            let quiet = connection.quiet
            let bar = ProgressLine("pool", quiet: quiet)
            let lastShown = LastPercent()
            runner.onEvent = { event in
                switch event {
                case .note(let s):
                    bar.finish()
                    note(credential.redact(s), quiet: quiet)
                case .progress(let percent, let submitted, let accepted, let status):
                    let text = progressText(percent: percent, submitted: submitted, accepted: accepted, status: status)
                    if bar.enabled { bar.message(text) } else if lastShown.changed(percent) { note(text, quiet: quiet) }
                case .downloaded(let n):
                    bar.message("downloaded \(n) assignments")
                }
            }
            let start = ContinuousClock.now
            let outcome = try await runner.run()
            bar.finish()
            let s = outcome.outputs
            note("project \(outcome.projectID), pool \(outcome.poolID) (\(outcome.closeReason ?? "closed")): \(s.assignments) assignments, \(s.answers) answers on \(s.tasks) tasks by \(s.workers) workers, \(s.goldenCorrect)/\(s.goldenAnswers) golden answers correct, cost $\(s.cost)", quiet: quiet)
            try aggregate(outcome, out: out, started: start)
        }
    }

    private func aggregate(_ outcome: WorkflowRunner.Outcome, out: String, started: ContinuousClock.Instant) throws {
        let dir = URL(fileURLWithPath: out)
        let answersPath = dir.appendingPathComponent(RunOutputs.answersFile).path
        var summary: [String: JSONValue] = [
            "project_id": .string(outcome.projectID), "pool_id": .string(outcome.poolID),
            "close_reason": outcome.closeReason.map(JSONValue.string) ?? .null,
            "assignments": .int(Int64(outcome.outputs.assignments)), "answers": .int(Int64(outcome.outputs.answers)),
            "tasks": .int(Int64(outcome.outputs.tasks)), "workers": .int(Int64(outcome.outputs.workers)),
            "golden_answers": .int(Int64(outcome.outputs.goldenAnswers)), "golden_correct": .int(Int64(outcome.outputs.goldenCorrect)),
            "cost_usd": .double(NSDecimalNumber(decimal: outcome.outputs.cost).doubleValue),
            "method": .string(method),
        ]
        if let t = outcome.trainingID { summary["training_id"] = .string(t) }
        if !outcome.skillIDs.isEmpty { summary["skill_ids"] = .object(outcome.skillIDs.mapValues(JSONValue.string)) }
        var outputs: [(bytes: [UInt8], path: String)] = []
        if outcome.outputs.answers > 0 {
            let table = try AnswerReader.read(answersPath, options: AnswerReadOptions(format: .crowdkit)).table
            guard let model = try MethodRegistry.method(named: method).fit(table).model else {
                throw AggregationError("\(method) gave no categorical labels")
            }
            outputs.append((ResultWriter.labels(table, model.labels, format: .tsv), dir.appendingPathComponent("labels.tsv").path))
            outputs.append((ResultWriter.probabilities(table, model.probabilities, format: .tsv), dir.appendingPathComponent("probabilities.tsv").path))
            if let skills = model.skills ?? (model as? DawidSkeneModel).map({ $0.expectedAccuracy() }) {
                outputs.append((ResultWriter.skills(table, skills, format: .tsv), dir.appendingPathComponent("skills.tsv").path))
            }
            var counts: [String: JSONValue] = [:]
            for l in model.labels { counts[table.labels[Int(l)], default: .int(0)] = .int(Int64((counts[table.labels[Int(l)]]?.intValue ?? 0) + 1)) }
            summary["labels"] = .object(counts)
            if let toloka = outcome.tolokaAggregation {
                summary["toloka_aggregation"] = try tolokaComparison(toloka, table: table, labels: model.labels)
            }
        } else {
            note("no answers to aggregate", quiet: connection.quiet)
        }
        if summary["toloka_aggregation"] == nil, let toloka = outcome.tolokaAggregation {
            summary["toloka_aggregation"] = try tolokaComparison(toloka, table: nil, labels: [])
        }
        summary["seconds"] = .double(((ContinuousClock.now - started).seconds * 1000).rounded() / 1000)
        outputs.append((Array((prettyJSON(.object(summary)) + "\n").utf8), dir.appendingPathComponent("summary.json").path))
        try AtomicFile.write(outputs)
        note("\(method): labels, probabilities\(outputs.count > 3 ? ", skills" : "") and summary written to \(out)", quiet: connection.quiet)
    }
}

extension TolokaRun {
    /// `summary.json`'s `toloka_aggregation`: Toloka's type and operation, its task count and how
    /// many of the tasks both aggregated got the same label from Toloka and from Tally's method
    /// (or the error that left Toloka's result out). Prints the agreement.
    func tolokaComparison(_ toloka: WorkflowRunner.TolokaAggregationOutcome, table: AnswerTable?, labels: [Int32]) throws -> JSONValue {
        var o: [String: JSONValue] = ["type": .string(toloka.type)]
        guard let path = toloka.path, toloka.error == nil else {
            o["error"] = .string(toloka.error ?? "no result")
            return .object(o)
        }
        o["operation_id"] = toloka.operationID.map(JSONValue.string) ?? .null
        o["file"] = .string(Workflow.tolokaAggregationFile)
        o["tasks"] = .int(Int64(toloka.tasks))
        guard let table else { return .object(o) }
        let theirs = try Workflow.readTolokaLabels(path)
        var compared = 0, agree = 0
        for t in 0..<table.taskCount {
            guard let label = theirs[table.tasks.name(Int32(t))] else { continue }
            compared += 1
            if label == table.labels[Int(labels[t])] { agree += 1 }
        }
        o["compared_tasks"] = .int(Int64(compared))
        o["same_label_as_\(method)"] = .int(Int64(agree))
        note("Toloka's \(toloka.type) and Tally's \(method) agree on \(agree) of \(compared) tasks", quiet: connection.quiet)
        return .object(o)
    }
}

/// Remembers the last percentage printed, so that a non-terminal log gets one line per change.
final class LastPercent: @unchecked Sendable {
    private var last: Double?? = .none
    private let lock = NSLock()
    func changed(_ p: Double?) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if case .some(let l) = last, l == p { return false }
        last = .some(p)
        return true
    }
}

func progressText(percent: Double?, submitted: Int?, accepted: Int?, status: String) -> String {
    var s = "pool \(status.lowercased())"
    if let p = percent {
        let width = 30
        let filled = max(0, min(width, Int((p / 100 * Double(width)).rounded())))
        s += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + String(format: "%3.0f%%", p)
    }
    if let submitted { s += ", \(submitted) submitted" }
    if let accepted { s += ", \(accepted) accepted" }
    return s
}

/// A request for `--dry-run`: method, URL and body (a long task list is abridged).
func describe(_ r: HTTPRequest) -> String {
    var s = "\(r.method) \(r.url.absoluteString)"
    if let body = r.body, let json = try? JSONValue(parsing: body) {
        if case .array(let items) = json, items.count > 2 {
            s += "\n" + prettyJSON(.array(Array(items.prefix(2)))) + "\n  … \(items.count) tasks in this batch (\(items.filter { $0["known_solutions"] != nil }.count) golden)"
        } else {
            s += "\n" + prettyJSON(json)
        }
    }
    return s
}

func prettyJSON(_ v: JSONValue) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return (try? String(decoding: e.encode(v), as: UTF8.self)) ?? v.serialized(numbers: .python)
}
