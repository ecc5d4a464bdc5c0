import CTallyKernels
import Foundation
import TallyCore

/// The EM loop shared by ``DawidSkene`` and ``OneCoinDawidSkene``, around sufficient statistics.
///
/// Layout: `K` labels; the task view's fused entry `e = worker * K + label` indexes row `e` of the
/// `(W·K) × K` tables `counts` (expected counts `n[w,y,c]`) and `logConfusion` (`ln e[w,y,c]`).
/// One pass per iteration over the task-sorted answers gathers log-confusion rows into each task's
/// logits, takes the softmax, and scatters the posterior into `counts`; the M-step and the ELBO then
/// work on `counts` alone (`Σ_answers P[t,c] ln e[w,y,c] = Σ_{w,y,c} n[w,y,c] ln e[w,y,c]`).
///
/// No BLAS: the E-step's logits could be a `cblas_dgemm` of a one-hot answers matrix by the
/// log-confusion table, but that matrix is mostly zeros and K columns wide. Only on a fully dense
/// expert panel does the product come close to the sparse gather, and on sparse crowd data it is
/// many times slower, so the engine keeps the fused sparse pass everywhere (timings in
/// `Benchmarks/README.md`).
struct DawidSkeneEngine {
    enum MStep { case full, oneCoin }

    static let eps = 1e-10
    static let logEps = log(1e-10)

    let table: AnswerTable
    let mStep: MStep
    let k: Int
    let tasks: Int
    let rows: Int
    /// `observed[w * K + y]`: worker w gave label y.
    var observed: [Bool]
    /// Per task: the golden label id, or -1.
    var gold: [Int32]
    var unusableGold = 0
    /// Starting posteriors (tasks × K); majority-vote shares when nil.
    var start: [Double]?
    /// Dirichlet pseudo-counts of the MAP fit (full model only); nil for maximum likelihood.
    var pseudoCounts: DawidSkene.PseudoCounts?

    /// Contiguous task ranges of about equal answer counts, one per thread.
    let partitions: [Range<Int>]
    /// Contiguous worker ranges, one per thread, for the M-step and the ELBO.
    let workerPartitions: [Range<Int>]

    /// The task-sorted answers the passes run over: `table.byTask`, or the view given to
    /// ``init(_:mStep:threads:minimumAnswersPerThread:taskView:)`` (IBCC's, repeats removed).
    let taskOffsets: [Int]
    let taskEntries: [Int32]

    /// Whether the general pass runs the C kernel (else the Swift one, used above K = 64).
    var useCKernel = true
    /// Called with each iteration's wall time (``ExecutionSettings/iterationTiming``).
    var iterationTiming: (@Sendable (Int, Double) -> Void)?

    /// - Parameters:
    ///   - threads: at most this many task ranges; a range gets at least `minimumAnswersPerThread`.
    ///   - taskView: task-sorted `(offsets, entries)` to run the passes over instead of
    ///     `table.byTask` (same tasks, workers and labels); only for the pass, not the M-step's skills.
    init(_ table: AnswerTable, mStep: MStep, threads: Int = ExecutionSettings.defaultThreads, minimumAnswersPerThread: Int = 100_000,
         taskView: (offsets: [Int], entries: [Int32])? = nil) {
        self.table = table
        self.mStep = mStep
        k = table.labelCount
        tasks = table.taskCount
        rows = table.workerCount * k
        taskOffsets = taskView?.offsets ?? table.byTask.offsets
        let entries = taskView?.entries ?? table.byTask.entries
        taskEntries = entries
        var observed = [Bool](repeating: false, count: rows)
        observed.withUnsafeMutableBytes { o in
            entries.withUnsafeBufferPointer { e in
                tally_mark_entries(e.baseAddress, Int64(e.count), o.baseAddress?.assumingMemoryBound(to: UInt8.self), nil)
            }
        }
        self.observed = observed
        gold = []
        let partitions = Self.split(taskOffsets, into: max(1, min(threads, taskEntries.count / max(1, minimumAnswersPerThread) + 1)))
        self.partitions = partitions
        workerPartitions = balancedRows(table.workerCount, count: partitions.count)
    }

    /// An engine for `table` that runs as `execution` says (threads, C or Swift kernel, timing).
    init(_ table: AnswerTable, mStep: MStep, execution: ExecutionSettings, taskView: (offsets: [Int], entries: [Int32])? = nil) {
        self.init(table, mStep: mStep, threads: execution.threads, taskView: taskView)
        useCKernel = execution.cKernels
        iterationTiming = execution.iterationTiming
    }

    static func split(_ view: CSRView, into parts: Int) -> [Range<Int>] { split(view.offsets, into: parts) }

    /// `parts` contiguous row ranges of about equal numbers of entries, from CSR `offsets` of any
    /// integer type (`Int` here, `UInt32` in ``CompactEngine``: the same ranges).
    static func split<Offset: BinaryInteger>(_ offsets: [Offset], into parts: Int) -> [Range<Int>] {
        let total = Int(offsets.last ?? 0)
        let rowCount = offsets.count - 1
        var ranges: [Range<Int>] = []
        var start = 0
        for part in 1...parts {
            let target = total * part / parts
            var end = start
            while end < rowCount && (part == parts || Int(offsets[end]) < target) { end += 1 }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    mutating func clampGold(_ labelOfTask: [Int32]) {
        gold = labelOfTask.map { $0 >= 0 ? $0 : -1 }
        unusableGold = labelOfTask.filter { $0 == GoldLabels.Alignment.unknownLabel }.count
    }

    /// Checks the settings, builds the engine for `answers`, lets `prepare` set it up (gold, a
    /// starting point) and runs it: the fit of ``DawidSkene`` and ``OneCoinDawidSkene``.
    static func fit(
        _ answers: AnswerTable, mStep: MStep, maxIterations: Int, tolerance: Double, em: DawidSkene.EM = .soft,
        initial: InitialConfusions? = nil, progress: (@Sendable (Int, Double) -> Void)?, execution: ExecutionSettings,
        prepare: (inout DawidSkeneEngine) -> Void = { _ in }
    ) throws -> DawidSkeneModel {
        try AggregationError.checkIterations(maxIterations)
        try checkMemory(answers, mStep: mStep, execution: execution)
        var engine = DawidSkeneEngine(answers, mStep: mStep, execution: execution)
        prepare(&engine)
        return try engine.run(maxIterations: maxIterations, tolerance: tolerance, em: em, initial: initial, progress: progress)
    }

    mutating func run(
        maxIterations: Int, tolerance: Double, em: DawidSkene.EM, initial: InitialConfusions?,
        progress: (@Sendable (Int, Double) -> Void)?
    ) throws -> DawidSkeneModel {
        let n = Double(table.answerCount)
        // Initialisation: majority-vote shares, golden rows one-hot, prior = plain mean.
        var p = start ?? voteShares()
        applyGold(&p)
        var prior = pseudoCounts == nil ? columnMeans(p) : classPrior(columnSums: columnMeans(p).map { $0 * Double(tasks) })
        var counts = scatter(p)
        var mask = observed
        if let initial, initial.resumed == nil { try apply(initial, to: &counts, mask: &mask) }
        var confusion = [Double](repeating: 0, count: rows * k)
        var logConfusion = [Double](repeating: 0, count: rows * k)
        var skills = maximise(counts, mask: mask, confusion: &confusion, logConfusion: &logConfusion)
        var resumedWorkers: Int?
        var resumedLoss: Double?
        if let model = initial?.resumed {
            resumedWorkers = try resume(from: model, prior: &prior, confusion: &confusion, logConfusion: &logConfusion, skills: &skills)
        }
        // Count tables of the second and later task ranges (the first scatters into `counts`),
        // allocated once: fresh tables every iteration cost page faults.
        let slots = PassSlots(count: partitions.count, tableSize: rows * k, k: k, narrowing: useCKernel ? taskEntries : nil)
        defer { slots.deallocate() }

        var history: [Double] = []
        var previous = -Double.infinity
        var hard = em == .hard
        var firstHard: Int? = em == .hard ? 1 : nil
        var iterationStart = ContinuousClock.now
        for iteration in 0..<maxIterations {
            let logPrior = prior.map { log(max($0, Self.eps)) }
            let (priorSum, entropyTerm) = k == 2
                ? passBinary(logPrior: logPrior, logConfusion: logConfusion, posteriors: &p, counts: &counts, hard: hard, slots: slots)
                : pass(logPrior: logPrior, logConfusion: logConfusion, posteriors: &p, counts: &counts, hard: hard, slots: slots)
            if iteration == 0 && resumedWorkers != nil {
                // A warm start has no earlier posteriors: the first iteration's gain is measured
                // from the resumed parameters on this E-step's posteriors (the M-step's gain), so a
                // model that still fits stops after one iteration.
                previous = elbo(counts: counts, logConfusion: logConfusion, prior: prior, entropyTerm: entropyTerm) / n
                if pseudoCounts != nil { previous += mapLogPrior(logConfusion: logConfusion, prior: prior) / n }
                resumedLoss = previous
            }
            let newPrior = pseudoCounts == nil ? priorSum.map { $0 / Double(tasks) } : classPrior(columnSums: priorSum)
            if em == .hybrid && !hard {
                let change = zip(newPrior, prior).reduce(0) { $0 + abs($1.0 - $1.1) }
                if change <= 0.005 {
                    hard = true
                    firstHard = iteration + 2  // the next E-step is the first hard one
                }
            }
            prior = newPrior
            skills = maximise(counts, mask: observed, confusion: &confusion, logConfusion: &logConfusion)
            var loss = elbo(counts: counts, logConfusion: logConfusion, prior: prior, entropyTerm: entropyTerm) / n
            if pseudoCounts != nil { loss += mapLogPrior(logConfusion: logConfusion, prior: prior) / n }
            history.append(loss)
            progress?(iteration + 1, loss)
            if let iterationTiming {
                iterationTiming(iteration + 1, (ContinuousClock.now - iterationStart).seconds)
                iterationStart = .now
            }
            // The switch to hard EM drops the entropy from the ELBO, so the loss falls once; the
            // stopping rule starts afresh from the first hard iteration.
            if em == .hybrid && firstHard == iteration + 1 {
                previous = loss
                continue
            }
            if loss - previous < tolerance { break }
            previous = loss
        }
        if !history.isEmpty {
            // crowd-kit floors posteriors and priors at 1e-10 in place while computing the ELBO.
            for i in p.indices where p[i] < Self.eps { p[i] = Self.eps }
            for c in prior.indices where prior[c] < Self.eps { prior[c] = Self.eps }
        }
        let probabilities = ProbabilityMatrix(rows: tasks, columns: k, values: p)
        return DawidSkeneModel(
            labels: probabilities.argmaxFirst(), probabilities: probabilities, priors: prior,
            confusions: ConfusionMatrices(workerCount: table.workerCount, labelCount: k, values: confusion, observed: observed),
            lossHistory: history, skills: skills, unusableGoldTasks: unusableGold, firstHardIteration: firstHard,
            resumedWorkers: resumedWorkers, resumedLoss: resumedLoss)
    }
}
