import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore

/// When `tally aggregate` fits ds or onecoin-ds on the compact table (``CompactAnswers``, issue 17).
enum CompactChoice: String, ExpressibleByArgument, CaseIterable {
    /// For a large `.arrow` input (at least ``Aggregate/compactThreshold`` answers) when nothing
    /// but labels is asked for.
    case auto
    /// Always (an error when the input or the options do not allow it).
    case always
    /// Never: the full answer table.
    case never
}

extension Aggregate {
    /// Answers from which `--compact auto` takes the compact table (at 20 bytes per answer the full
    /// table would need 1 GB).
    static let compactThreshold = 50_000_000

    /// Why this command cannot run on the compact table, or `nil` when it can.
    func compactObstacle(_ parameters: MethodParameters) -> String? {
        guard ["ds", "onecoin-ds"].contains(method) else { return "it runs ds and onecoin-ds only" }
        guard file != "-", input.inputFormat == .arrow || (input.inputFormat == .auto && CompactAnswers.isArrow(file)) else {
            return "it reads .arrow files only"
        }
        if kind.answerType != nil && kind.answerType != .categorical { return "it holds categorical answers only" }
        let extras: [(String, Bool)] = [
            ("--probabilities", probabilities != nil), ("--skills", skills != nil), ("--worker-report", workerReport != nil),
            ("--confusions", ds.confusions != nil), ("--save-model", ds.saveModel != nil), ("--init-model", ds.initModel != nil),
            ("--gold", gold != nil), ("--clamp-gold, --initial-error, --em, --initialization or --prior", ds.changed),
            ("--format json", (format ?? OutputFormat(pathExtensionOf: out) ?? .tsv) == .json),
        ]
        if let hit = extras.first(where: { $0.1 }) { return "it writes labels only, with the defaults (\(hit.0) needs the full table)" }
        guard let descriptor = MethodRegistry.all.first(where: { $0.name == method }) else { return "unknown method" }
        for p in descriptor.parameters where !["max-iterations", "tolerance"].contains(p.name) {
            if let v = parameters.values[p.name], v != p.defaultValue { return "--param \(p.name) needs the full table" }
        }
        if case .int(let v)? = parameters.values["max-iterations"], v < 1 { return "it runs at least one iteration" }
        return nil
    }

    /// Whether to take the compact path; throws when `--compact always` cannot.
    func useCompact(_ parameters: MethodParameters) throws -> Bool {
        if compact == .never { return false }
        let obstacle = compactObstacle(parameters)
        if compact == .always {
            if let obstacle { throw ValidationError("--compact always: the compact table cannot serve this run: \(obstacle)") }
            if let why = try CompactAnswers.unsupported(arrow: file) { throw InputError(.invalidValue, file: file, "--compact always: \(why)") }
            return true
        }
        guard obstacle == nil, try CompactAnswers.rowCount(arrow: file) >= Self.compactThreshold else { return false }
        if let why = try CompactAnswers.unsupported(arrow: file) {
            note("note: reading the full table: the compact one needs dictionary-encoded columns (\(why))", quiet: quiet)
            return false
        }
        return true
    }

    /// `aggregate` on the compact table: build it from the mapped file, fit, stream the labels out.
    func executeCompact(_ parameters: MethodParameters) throws {
        let start = ContinuousClock.now
        let threads = parameters.execution.threads
        let line = ProgressLine("compact table", quiet: quiet)
        let eta = ETA()
        let path = file
        var progress: (@Sendable (Int, Int) -> Void)?
        if line.enabled {
            progress = { @Sendable done, total in
                line.message("reading \(path) into the compact table: " + String(format: "%3.0f%%", 100 * Double(done) / Double(total)) + eta.text(done: done, of: total))
            }
        }
        let answers = try CompactAnswers(arrow: file, threads: threads, progress: progress)
        line.finish()
        let perAnswer = Double(answers.residentBytes) / Double(answers.answerCount)
        note("read \(answers.answerCount) answers: \(answers.taskCount) tasks, \(answers.workerCount) workers, \(answers.labelCount) labels (\(seconds(since: start)); compact table, "
             + String(format: "%.2f", perAnswer) + " bytes per answer, " + (answers.wasGrouped ? "rows already grouped by task)" : "counting-sorted by task)"), quiet: quiet)
        if answers.labelCount > input.maxLabels {
            throw InputError(.tooLarge, file: file, field: "label", "\(answers.labelCount) distinct labels, more than --max-labels \(input.maxLabels); check the label column, or give --max-labels \(answers.labelCount)")
        }
        let descriptor = try MethodRegistry.method(named: method)
        if !descriptor.labelCounts.allows(answers.labelCount) {
            throw InputError(.invalidValue, file: file, field: "label", "\(method) cannot fit \(answers.labelCount) labels")
        }
        if answers.duplicates.pairs > 0, let ex = answers.duplicates.example {
            note("warning: \(answers.duplicates.pairs) (task, worker) pairs answered more than once (\(answers.duplicates.extraAnswers) extra answers; first: task \(ErrorText.quoted(answers.taskName(Int(ex.task)))), worker \(ErrorText.quoted(answers.workerName(Int(ex.worker))))); all answers are kept", quiet: quiet)
        }
        var fit = CompactDawidSkene(model: method == "ds" ? .full : .oneCoin, execution: parameters.execution)
        if case .int(let v)? = parameters.values["max-iterations"] { fit.maxIterations = v }
        if case .double(let v)? = parameters.values["tolerance"] { fit.tolerance = v }
        let fitStart = ContinuousClock.now
        let iterationLine = ProgressLine(method, quiet: quiet)
        if iterationLine.enabled {
            let name = method, limit = fit.maxIterations, tolerance = fit.tolerance
            let clock = IterationClock()
            fit.progress = { @Sendable i, loss in
                iterationLine.message("\(name): iteration \(i), loss \(String(format: "%.9f", loss))" + clock.text(i, loss, limit: limit, tolerance: tolerance))
            }
        }
        let model = try fit.fit(answers)
        iterationLine.finish()
        let priors = zip(answers.labels.names, model.priors).map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
        note("\(method): \(model.iterations) iterations, loss \(model.lossHistory.last.map { String(format: "%.9f", $0) } ?? "-"); priors \(priors)", quiet: quiet)
        note("\(method): fitted in \(seconds(since: fitStart))", quiet: quiet)
        let writeStart = ContinuousClock.now
        try model.labels.withUnsafeBufferPointer { labels in
            try answers.writeLabels(to: out, format: format ?? OutputFormat(pathExtensionOf: out) ?? .tsv) { Int(labels[$0]) }
        }
        note("wrote \(answers.taskCount) labels (\(seconds(since: writeStart))); total \(seconds(since: start))", quiet: quiet)
    }
}

/// The time left of a pass from the share done so far.
final class ETA: @unchecked Sendable {
    private let start = Date()

    func text(done: Int, of total: Int) -> String {
        let elapsed = Date().timeIntervalSince(start)
        guard done > 0, elapsed > 1 else { return "" }
        return String(format: " (ETA %.0f s)", elapsed * Double(total - done) / Double(done))
    }
}

/// Seconds per iteration and an estimate of the iterations left: the loss gain shrinks about
/// geometrically near convergence, so the gains left until one falls below the tolerance are
/// `ln(tol / gain) / ln(ratio)`; at most `limit` in all.
final class IterationClock: @unchecked Sendable {
    private var last = Date()
    private var previousLoss: Double?
    private var previousGain: Double?

    func text(_ iteration: Int, _ loss: Double, limit: Int, tolerance: Double) -> String {
        let now = Date()
        let perIteration = now.timeIntervalSince(last)
        last = now
        defer { previousLoss = loss }
        var left = Double(limit - iteration)
        var estimated = false
        if let p = previousLoss {
            let gain = loss - p
            if let g = previousGain, g > 0, gain > 0, gain < g, gain > tolerance {
                left = min(left, (log(tolerance / gain) / log(gain / g)).rounded(.up))
                estimated = true
            } else if gain < tolerance {
                left = 0
                estimated = true
            }
            previousGain = gain
        }
        return String(format: ", %.1f s/iteration, ETA ", perIteration) + (estimated ? "~" : "at most ") + String(format: "%.0f s", max(0, left) * perIteration)
    }
}
