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
        } else {
            note("no answers to aggregate", quiet: connection.quiet)
        }
        let elapsed = (ContinuousClock.now - started).components
        summary["seconds"] = .double((Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18 * 1000).rounded() / 1000)
        outputs.append((Array((prettyJSON(.object(summary)) + "\n").utf8), dir.appendingPathComponent("summary.json").path))
        try AtomicFile.write(outputs)
        note("\(method): labels, probabilities\(outputs.count > 3 ? ", skills" : "") and summary written to \(out)", quiet: connection.quiet)
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
