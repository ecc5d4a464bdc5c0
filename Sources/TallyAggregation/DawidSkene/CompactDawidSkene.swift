import CTallyKernels
import Foundation
import TallyCore

/// Dawid-Skene (full or one-coin) with crowd-kit's defaults over a ``CompactAnswers`` table: the
/// path for 10⁸–10⁹ answers (issue 17), where ``DawidSkene`` over an ``AnswerTable`` would need 20
/// bytes per answer before EM starts.
///
/// The same EM as ``DawidSkeneEngine``'s, step for step and sum for sum (majority-vote start, the
/// same task ranges per thread, the same kernels' arithmetic, the same M-step and ELBO), so labels,
/// priors and losses equal ``DawidSkene``'s (and ``OneCoinDawidSkene``'s) on the same answers; what
/// differs is what is kept: for two labels no posterior is stored during EM (the E-step never reads
/// the previous one), only one byte per task for the current argmax (`compact.c`); for more labels
/// the `tasks × K` posteriors are kept as the general kernel writes them. Resident memory for
/// `K = 2`: the table's 4 bytes per answer and 4 per task, one label byte per task, and the
/// `workers × K²` tables.
///
/// Only the defaults' options: soft EM from majority vote, no gold, no initial confusions, no
/// pseudo-counts (the command line falls back to the full table when any is asked for).
///
/// ```swift
/// let answers = try CompactAnswers(arrow: "big/answers.arrow")
/// let model = try CompactDawidSkene().fit(answers)
/// print(model.iterations, model.priors, answers.taskName(0), model.labels[0])
/// ```
public struct CompactDawidSkene: Sendable {
    /// A confusion matrix per worker (``DawidSkene``) or one skill per worker (``OneCoinDawidSkene``).
    public enum Model: Sendable {
        /// A confusion matrix per worker.
        case full
        /// One skill per worker, errors spread evenly over the other labels.
        case oneCoin
    }

    /// Full or one-coin.
    public var model: Model
    /// The most EM iterations (at least 1; crowd-kit's `n_iter`, default 100).
    public var maxIterations: Int
    /// Stop when the per-answer ELBO grows by less than this (crowd-kit's `tol`, default 1e-5).
    public var tolerance: Double
    /// Called after every iteration with (iteration, loss).
    public var progress: (@Sendable (Int, Double) -> Void)?
    /// Threads and iteration timing (the two-label pass always runs in C).
    public var execution: ExecutionSettings

    /// An aggregator with crowd-kit 1.4.2's defaults.
    public init(model: Model = .full, maxIterations: Int = 100, tolerance: Double = 1e-5,
                progress: (@Sendable (Int, Double) -> Void)? = nil, execution: ExecutionSettings = ExecutionSettings()) {
        self.model = model
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.progress = progress
        self.execution = execution
    }

    /// Runs EM until the stopping test or ``maxIterations``.
    ///
    /// - Throws: ``AggregationError`` when `maxIterations` is below 1, there are more than 255
    ///   labels, or the `workers × K²` tables would not fit (``MemoryGuard``).
    public func fit(_ answers: CompactAnswers) throws -> CompactDawidSkeneModel {
        guard maxIterations >= 1 else { throw AggregationError("the compact Dawid-Skene fit runs at least one iteration") }
        guard answers.labelCount <= 255 else { throw AggregationError("the compact Dawid-Skene fit takes at most 255 labels, got \(answers.labelCount)") }
        var engine = CompactEngine(answers, model: model, threads: execution.threads)
        let k = Double(answers.labelCount), workers = Double(answers.workerCount)
        let bytes = 8 * workers * k * k * Double(3 + engine.partitions.count - 1)
            + (answers.labelCount == 2 ? 0 : 8 * Double(answers.taskCount) * (k + 1))
        try MemoryGuard.require(model == .full ? "ds" : "onecoin-ds", bytes: bytes, labels: answers.labelCount,
                                detail: "a \(answers.labelCount) × \(answers.labelCount) table for each of \(answers.workerCount) workers")
        engine.iterationTiming = execution.iterationTiming
        return engine.run(maxIterations: maxIterations, tolerance: tolerance, progress: progress)
    }
}

/// A Dawid-Skene fit over a ``CompactAnswers`` table.
public struct CompactDawidSkeneModel: Sendable {
    /// Per task id, the label id with the highest posterior (ties to the first label).
    public let labels: [UInt8]
    /// The class prior, in label order (floored at 1e-10).
    public let priors: [Double]
    /// Each worker's confusion matrix after the last M-step, `[(w * K + y) * K + c]`.
    public let confusions: [Double]
    /// `ELBO / N` after every iteration.
    public let lossHistory: [Double]
    /// One-coin skills; `nil` for the full model.
    public let skills: [Double]?

    /// EM iterations run.
    public var iterations: Int { lossHistory.count }
}

/// ``DawidSkeneEngine``'s loop over the compact table (see ``CompactDawidSkene``).
struct CompactEngine {
    let answers: CompactAnswers
    let mStep: DawidSkeneEngine.MStep
    let k: Int
    let tasks: Int
    let rows: Int
    let observed: [Bool]
    /// Answers per worker (the one-coin M-step divides by it).
    let answersOf: [Int]
    let partitions: [Range<Int>]
    let workerPartitions: [Range<Int>]
    var iterationTiming: (@Sendable (Int, Double) -> Void)?

    init(_ answers: CompactAnswers, model: CompactDawidSkene.Model, threads: Int) {
        self.answers = answers
        mStep = model == .full ? .full : .oneCoin
        k = answers.labelCount
        tasks = answers.taskCount
        rows = answers.workerCount * k
        var observed = [Bool](repeating: false, count: rows)
        var perWorker = [Int](repeating: 0, count: answers.workerCount + 1)
        let k32 = Int32(k)
        answers.entries.withUnsafeBufferPointer { e in
            observed.withUnsafeMutableBufferPointer { o in
                perWorker.withUnsafeMutableBufferPointer { c in
                    for x in e {
                        o[Int(x)] = true
                        c[Int(x / k32) + 1] += 1
                    }
                }
            }
        }
        for w in 0..<answers.workerCount { perWorker[w + 1] += perWorker[w] }
        self.observed = observed
        answersOf = perWorker
        let parts = max(1, min(threads, answers.answerCount / 100_000 + 1))
        partitions = DawidSkeneEngine.split(answers.offsets, into: parts)
        workerPartitions = balancedRows(answers.workerCount, count: partitions.count)
    }

    /// The majority-vote start, as ``DawidSkeneEngine/run`` computes it without storing it: each
    /// task's vote shares are added into the class sums and scattered into `counts`, task by task.
    func start() -> (prior: [Double], counts: [Double]) {
        var counts = [Double](repeating: 0, count: rows * k)
        var sum = [Double](repeating: 0, count: k)
        var share = [Double](repeating: 0, count: k)
        let k32 = Int32(k)
        answers.offsets.withUnsafeBufferPointer { o in
            answers.entries.withUnsafeBufferPointer { e in
                counts.withUnsafeMutableBufferPointer { n in
                    for t in 0..<tasks {
                        let lo = Int(o[t]), hi = Int(o[t + 1])
                        for c in 0..<k { share[c] = 0 }
                        for i in lo..<hi { share[Int(e[i] % k32)] += 1 }
                        let total = Double(hi - lo)
                        for c in 0..<k { share[c] /= total }
                        for c in 0..<k { sum[c] += share[c] }
                        for i in lo..<hi {
                            let base = Int(e[i]) * k
                            for c in 0..<k { n[base + c] += share[c] }
                        }
                    }
                }
            }
        }
        return (sum.map { $0 / Double(tasks) }, counts)
    }

    func run(maxIterations: Int, tolerance: Double, progress: (@Sendable (Int, Double) -> Void)?) -> CompactDawidSkeneModel {
        let n = Double(answers.answerCount)
        var (prior, counts) = start()
        var confusion = [Double](repeating: 0, count: rows * k)
        var logConfusion = [Double](repeating: 0, count: rows * k)
        var skills = maximise(counts, confusion: &confusion, logConfusion: &logConfusion)
        let slots = PassSlots(count: partitions.count, tableSize: rows * k, k: k)
        defer { slots.deallocate() }
        let state = PassState(tasks: tasks, k: k, offsets: answers.offsets)

        var history: [Double] = []
        var previous = -Double.infinity
        var iterationStart = ContinuousClock.now
        for iteration in 0..<maxIterations {
            let logPrior = prior.map { log(max($0, DawidSkeneEngine.eps)) }
            let (priorSum, entropyTerm) = k == 2
                ? passBinary(logPrior: logPrior, logConfusion: logConfusion, counts: &counts, slots: slots, state: state)
                : passGeneral(logPrior: logPrior, logConfusion: logConfusion, counts: &counts, slots: slots, state: state)
            prior = priorSum.map { $0 / Double(tasks) }
            skills = maximise(counts, confusion: &confusion, logConfusion: &logConfusion)
            let loss = elbo(counts: counts, logConfusion: logConfusion, prior: prior, entropyTerm: entropyTerm) / n
            history.append(loss)
            progress?(iteration + 1, loss)
            if let iterationTiming {
                iterationTiming(iteration + 1, (ContinuousClock.now - iterationStart).seconds)
                iterationStart = .now
            }
            if loss - previous < tolerance { break }
            previous = loss
        }
        for c in prior.indices where prior[c] < DawidSkeneEngine.eps { prior[c] = DawidSkeneEngine.eps }
        return CompactDawidSkeneModel(labels: state.finalLabels(), priors: prior, confusions: confusion,
                                      lossHistory: history, skills: skills)
    }
}
