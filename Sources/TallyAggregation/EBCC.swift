import Dispatch
import Foundation
import TallyCore

/// Enhanced Bayesian classifier combination: IBCC whose true classes each split into `groups`
/// subtypes, every worker having one confusion matrix per (class, subtype), so that workers who
/// err together on some items are modelled; fitted by variational Bayes with random restarts.
///
/// Li, Rubinstein & Cohn (2019), *Exploiting Worker Correlation for Label Aggregation in
/// Crowdsourcing*, ICML (PMLR 97). The fit is the one of the authors' `code/ebcc.py`
/// (`ebcc_vb` in `yuan-li/truth-inference-at-scale`), operation for operation:
///
/// - the model: class proportions `τ ~ Dir(α)`, subtype weights `π_k ~ Dir(a_pi/M, …)` per class,
///   confusion rows `v_jkm ~ Dir(β_k)` with `β_k` = `diagonalPrior` on the diagonal and
///   `offDiagonalPrior` elsewhere; a task's (class, subtype) is drawn from `τ_k π_km`, and each
///   worker answers it from its row `v_jkm`;
/// - the start: `q(z)` is the majority-vote shares, `q(z = k, g = m)` = that share times a draw of
///   a flat Dirichlet over the subtypes — numpy's `RandomState(seed).dirichlet`, reproduced bit
///   for bit, so a seed gives the reference's start for the same seed;
/// - each iteration: `q(τ)`, `q(π)`, `q(v)` from the current `q(z, g)`, then
///   `q(z_i = k, g_i = m) ∝ exp(E ln τ_k + E ln π_km + Σ_answers E ln v_jkm,answer)`; stop when no
///   `q(z)` moved by more than `tolerance + 1e-5 · |new|` (numpy's `allclose`) or after
///   `maxIterations`;
/// - the ELBO is the reference's: `ln B(ν) + Σ_k ln B(η_k) + Σ_{j,k,m} ln B(μ_jkm) + H(q(z, g))`,
///   with `ν`, `η`, `μ` the Dirichlet parameters computed at the start of the last iteration and
///   `H` the entropy of the `q(z, g)` it produced (the priors' normalising constants left out);
/// - restarts: restart `r` starts from seed `seed + r`, restarts run side by side on
///   ``ExecutionSettings/threads`` threads, and the one of highest ELBO is kept (the first on a
///   tie), as the authors' protocol does with 40 seeds. A restart's result does not depend on the
///   number of threads. Each restart computes its ELBO once, after its last iteration (as the
///   reference does); the kept restart is then run again, with the same iterates, to record its
///   ELBO after every iteration (``EBCCModel/elboHistory``).
///
/// With `empiricalPrior` (the authors' protocol, and the default here) `α` is the sum of the
/// majority-vote shares over the tasks instead of `classPrior`. As in the reference, an answer
/// repeated with the same (task, worker, label) counts once.
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try EBCC().fit(answers)                         // 40 restarts, 10 subtypes
/// let names = model.labels.map { answers.labels[Int($0)] }
/// print(model.elbo, model.seed, model.iterations)
/// let p = model.confusions[0, 1, 0]                           // E[P(worker 0 says label 1 | truth 0)]
/// let one = try EBCC(restarts: 1, seed: 7).fit(answers)       // ebcc_vb(..., seed=7)
/// ```
public struct EBCC: Aggregator {
    /// Subtypes per true class (the reference's `num_groups`).
    public var groups: Int
    /// Use the majority-vote class totals as the Dirichlet prior of the class proportions (the
    /// reference's `empirical_prior`; its notebook sets it) instead of ``classPrior``.
    public var empiricalPrior: Bool
    /// Dirichlet pseudo-count of every class proportion when ``empiricalPrior`` is off (`alpha`).
    public var classPrior: Double
    /// Total Dirichlet pseudo-count of a class's subtype weights, shared equally by its subtypes (`a_pi`).
    public var groupPrior: Double
    /// Prior pseudo-count on each confusion row's diagonal (`a_v`).
    public var diagonalPrior: Double
    /// Prior pseudo-count off the diagonal (`b_v`).
    public var offDiagonalPrior: Double
    /// At most this many iterations per restart (the reference: 500).
    public var maxIterations: Int
    /// Stop when every `q(z)` moved by at most `tolerance + 1e-5 · |new value|` (the reference:
    /// `np.allclose(..., atol=1e-3)`).
    public var tolerance: Double
    /// The seed of the first restart (numpy's `RandomState` seed); restart `r` uses `seed + r`,
    /// so every seed used must be below 2³².
    public var seed: UInt64
    /// Random restarts; the one of highest ELBO is kept (the authors' protocol: 40).
    public var restarts: Int
    /// Threads running restarts side by side (``ExecutionSettings/threads``; results do not depend on it).
    public var execution: ExecutionSettings
    /// Called when a restart ends, with (restarts finished, that restart's ELBO), from any thread.
    public var progress: (@Sendable (Int, Double) -> Void)?

    /// The relative part of the stopping test (numpy's `allclose` default).
    public static let relativeTolerance = 1e-5

    /// EBCC as the authors run it: 10 subtypes, the empirical class prior, `a_pi` 0.1, confusion
    /// priors 4 / 1, at most 500 iterations, tolerance 1e-3, 40 restarts from seed 1234.
    /// (`ebcc_vb`'s own defaults differ only in `empirical_prior=False`, with `alpha = 1`.)
    public init(groups: Int = 10, empiricalPrior: Bool = true, classPrior: Double = 1, groupPrior: Double = 0.1,
                diagonalPrior: Double = 4, offDiagonalPrior: Double = 1, maxIterations: Int = 500, tolerance: Double = 1e-3,
                seed: UInt64 = 1234, restarts: Int = 40, execution: ExecutionSettings = ExecutionSettings(),
                progress: (@Sendable (Int, Double) -> Void)? = nil) {
        self.groups = groups
        self.empiricalPrior = empiricalPrior
        self.classPrior = classPrior
        self.groupPrior = groupPrior
        self.diagonalPrior = diagonalPrior
        self.offDiagonalPrior = offDiagonalPrior
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
        self.restarts = restarts
        self.execution = execution
        self.progress = progress
    }

    /// Runs every restart and keeps the one of highest ELBO.
    ///
    /// - Throws: ``AggregationError`` for fewer than one subtype, restart or iteration, a prior that
    ///   is not a positive finite number, a negative or non-finite tolerance, a last seed
    ///   (`seed + restarts − 1`) of 2³² or more, or a table without answers.
    public func fit(_ answers: AnswerTable) throws -> EBCCModel {
        try validate(answers)
        guard restarts >= 1 else { throw AggregationError("ebcc: restarts must be at least 1, got \(restarts)") }
        guard seed + UInt64(restarts - 1) <= UInt64(UInt32.max) else {
            throw AggregationError("ebcc: restart r is seeded with seed + r, numpy's RandomState seed, which must be below 2^32; seed \(seed) with \(restarts) restarts goes beyond")
        }
        let engine = engine(answers)
        let (restarts, first, maxIterations, tolerance, progress) = (restarts, UInt32(seed), maxIterations, tolerance, progress)
        let parallel = max(1, min(execution.threads, restarts))
        let slots = BestRunSlots(threads: parallel, restarts: restarts)
        let finished = FinishedCounter()
        let work: @Sendable (Int) -> Void = { thread in
            for r in stride(from: thread, to: restarts, by: parallel) {
                let run = engine.run(start: engine.initialGroupPosteriors(seed: first + UInt32(r)),
                                     maxIterations: maxIterations, tolerance: tolerance, history: restarts == 1)
                slots.record(run, restart: r, thread: thread)
                if let progress { progress(finished.increment(), run.elbo) }
            }
        }
        if parallel == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: parallel, execute: work) }
        var (best, run) = slots.best()
        if restarts > 1 {
            // The restarts computed their ELBO once, at the end; the kept one is run again (the same
            // iterates, bit for bit) for its ELBO after every iteration.
            run = engine.run(start: engine.initialGroupPosteriors(seed: first + UInt32(best)),
                             maxIterations: maxIterations, tolerance: tolerance, history: true)
        }
        return model(engine, run, answers: answers, seed: first + UInt32(best), restart: best, restartELBOs: slots.elbos)
    }

    /// One run from a given start, without restarts: `start` is `q(z = k, g = m)` for every task,
    /// class and subtype, row-major tasks × labels × ``groups`` (numpy's `(N, K, M)` order), each
    /// task's block non-negative. ``initialGroupPosteriors(for:seed:)`` gives the start of a seed.
    ///
    /// - Throws: ``AggregationError`` as ``fit(_:)``, and when `start` has the wrong length or a
    ///   negative or non-finite value.
    public func fit(_ answers: AnswerTable, start: [Double]) throws -> EBCCModel {
        try validate(answers)
        let size = answers.taskCount * answers.labelCount * groups
        guard start.count == size else {
            throw AggregationError("ebcc: the start has \(start.count) values; expected tasks × labels × groups = \(answers.taskCount) × \(answers.labelCount) × \(groups) = \(size)")
        }
        if let bad = start.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw AggregationError("ebcc: start value \(bad) is \(start[bad]); expected a finite number ≥ 0")
        }
        let engine = engine(answers)
        let run = engine.run(start: start, maxIterations: maxIterations, tolerance: tolerance)
        progress?(1, run.elbo)
        return model(engine, run, answers: answers, seed: nil, restart: 0, restartELBOs: [run.elbo])
    }

    /// The start a seed gives (tasks × labels × ``groups``): the majority-vote shares times
    /// numpy's `RandomState(seed).dirichlet(ones(groups), (tasks, labels))`, as the reference draws it.
    public func initialGroupPosteriors(for answers: AnswerTable, seed: UInt32) throws -> [Double] {
        try validate(answers)
        return engine(answers).initialGroupPosteriors(seed: seed)
    }

    private func validate(_ answers: AnswerTable) throws {
        guard maxIterations >= 1 else { throw AggregationError("ebcc: max-iterations must be at least 1, got \(maxIterations)") }
        guard tolerance.isFinite && tolerance >= 0 else { throw AggregationError("ebcc: the tolerance must be a finite number ≥ 0, got \(tolerance)") }
        guard groups >= 1 else { throw AggregationError("ebcc: groups must be at least 1, got \(groups)") }
        try AggregationError.checkPositive("ebcc", ["class-prior": classPrior, "group-prior": groupPrior, "diagonal-prior": diagonalPrior,
                                                    "off-diagonal-prior": offDiagonalPrior])
        try AggregationError.checkNotEmpty(answers, method: "ebcc")
    }

    private func engine(_ answers: AnswerTable) -> EBCCEngine {
        EBCCEngine(answers, groups: groups, empiricalPrior: empiricalPrior, classPrior: classPrior, groupPrior: groupPrior,
                   diagonalPrior: diagonalPrior, offDiagonalPrior: offDiagonalPrior)
    }

    /// The fitted model of a run: posteriors, and posterior means from its final `q(z, g)`.
    private func model(_ e: EBCCEngine, _ run: EBCCEngine.Run, answers: AnswerTable, seed: UInt32?, restart: Int,
                       restartELBOs: [Double]) -> EBCCModel {
        let (k, m, km, workers) = (e.k, e.groups, e.k * e.groups, e.workers)
        let rowPrior = diagonalPrior + Double(k - 1) * offDiagonalPrior
        var weights = [Double](repeating: 0, count: km)
        for c in 0..<k {
            let total = (0..<m).reduce(0.0) { $0 + e.groupPrior + run.groupTotals[c * m + $1] }
            for g in 0..<m { weights[c * m + g] = (e.groupPrior + run.groupTotals[c * m + g]) / total }
        }
        // E[v_jkml] = μ_jkml / Σ_l μ_jkml; the marginal confusion Σ_m E[π_km] E[v_jkml].
        var subtype = [Double](repeating: 0, count: workers * km * k)
        var confusion = [Double](repeating: 0, count: workers * k * k)
        var rowSum = [Double](repeating: 0, count: km)
        for j in 0..<workers {
            for x in 0..<km { rowSum[x] = rowPrior }
            for l in 0..<k { for x in 0..<km { rowSum[x] += run.counts[(j * k + l) * km + x] } }
            for l in 0..<k {
                for c in 0..<k {
                    let prior = c == l ? diagonalPrior : offDiagonalPrior
                    var marginal = 0.0
                    for g in 0..<m {
                        let x = c * m + g
                        let v = (prior + run.counts[(j * k + l) * km + x]) / rowSum[x]
                        subtype[(j * km + x) * k + l] = v
                        marginal += weights[x] * v
                    }
                    confusion[(j * k + l) * k + c] = marginal
                }
            }
        }
        let classTotal = (0..<k).reduce(0.0) { $0 + e.classPrior[$1] + run.classTotals[$1] }
        let proportions = (0..<k).map { (e.classPrior[$0] + run.classTotals[$0]) / classTotal }
        let probabilities = ProbabilityMatrix(rows: e.tasks, columns: k, values: run.z)
        return EBCCModel(
            labels: probabilities.argmaxFirst(), probabilities: probabilities, groups: m,
            subtypePosteriors: run.zg,
            confusions: ConfusionMatrices(workerCount: workers, labelCount: k, values: confusion,
                                          observed: [Bool](repeating: true, count: workers * k)),
            subtypeConfusions: subtype, subtypeWeights: weights, classProportions: proportions,
            elbo: run.elbo, elboHistory: run.elboHistory, iterations: run.iterations, converged: run.converged,
            seed: seed, bestRestart: restart, restartELBOs: restartELBOs)
    }
}

/// A fitted ``EBCC``: the kept restart's posteriors, expected confusion matrices and ELBO.
public struct EBCCModel: FittedModel {
    /// Per task id, the label id of highest `q(z)` (ties to the first label).
    public let labels: [Int32]
    /// Per task, `q(z = label)` (summed over the subtypes).
    public let probabilities: ProbabilityMatrix
    /// None: EBCC's workers are described by ``confusions``.
    public var skills: [Double]? { nil }
    /// `M`, the subtypes per class.
    public let groups: Int
    /// `q(z = k, g = m)`, row-major tasks × labels × subtypes.
    public let subtypePosteriors: [Double]
    /// Posterior means of the confusion matrices with the subtypes mixed by their expected
    /// weights, `confusions[w, answer, truth] = Σ_m E[π_truth,m] E[v_w,truth,m,answer]`; every row
    /// exists (the prior fills rows a worker never answered).
    public let confusions: ConfusionMatrices
    /// Posterior means `E[v_jkml]` of every worker's confusion row per (class, subtype), at
    /// `((worker · K + truth) · M + subtype) · K + answer`.
    public let subtypeConfusions: [Double]
    /// Posterior means `E[π_km]` of the subtype weights, at `truth · M + subtype`.
    public let subtypeWeights: [Double]
    /// Posterior mean of the class proportions `E[τ]`, in label order.
    public let classProportions: [Double]
    /// The ELBO of the kept restart after its last iteration (the reference's value).
    public let elbo: Double
    /// Its ELBO after each iteration of the kept restart (the same formula; it need not rise at
    /// every step, since it pairs `q(z, g)` with Dirichlet parameters from the step before).
    public let elboHistory: [Double]
    /// Iterations of the kept restart.
    public let iterations: Int
    /// Whether the kept restart met the stopping test before `maxIterations`.
    public let converged: Bool
    /// The seed of the kept restart (`nil` after ``EBCC/fit(_:start:)``).
    public let seed: UInt32?
    /// The kept restart (from 0).
    public let bestRestart: Int
    /// Every restart's final ELBO, in restart order.
    public let restartELBOs: [Double]
}

/// Per thread, the best run so far; every restart's ELBO. Each thread writes only its own slot
/// and the ELBOs of its own restarts (raw buffers: no shared Swift array is mutated).
private final class BestRunSlots: @unchecked Sendable {
    private let runs: UnsafeMutableBufferPointer<(restart: Int, run: EBCCEngine.Run)?>
    private let restartELBOs: UnsafeMutableBufferPointer<Double>

    init(threads: Int, restarts: Int) {
        runs = .allocate(capacity: threads)
        runs.initialize(repeating: nil)
        restartELBOs = .allocate(capacity: restarts)
        restartELBOs.initialize(repeating: -.infinity)
    }

    deinit {
        _ = runs.deinitialize()
        runs.deallocate()
        restartELBOs.deallocate()
    }

    /// Every restart's ELBO, in restart order (read after all threads finished).
    var elbos: [Double] { Array(restartELBOs) }

    func record(_ run: EBCCEngine.Run, restart: Int, thread: Int) {
        restartELBOs[restart] = run.elbo
        if let current = runs[thread], !Self.better(run.elbo, restart, than: current.run.elbo, current.restart) { return }
        runs[thread] = (restart, run)
    }

    /// Higher ELBO wins, then the lower restart; a NaN ELBO loses to any number.
    static func better(_ a: Double, _ ra: Int, than b: Double, _ rb: Int) -> Bool {
        if a.isNaN != b.isNaN { return b.isNaN }
        if a != b && !a.isNaN { return a > b }
        return ra < rb
    }

    /// The kept restart and its run (read after all threads finished).
    func best() -> (Int, EBCCEngine.Run) {
        var chosen = runs[0]!
        for case let slot? in runs.dropFirst() where Self.better(slot.run.elbo, slot.restart, than: chosen.run.elbo, chosen.restart) {
            chosen = slot
        }
        return (chosen.restart, chosen.run)
    }
}

/// Counts finished restarts across threads.
private final class FinishedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
