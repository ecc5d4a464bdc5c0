import CTallyKernels
import Foundation
import TallyCore

/// Independent Bayesian classifier combination: Dawid-Skene with Dirichlet priors on the class
/// proportions and on every row of every worker's confusion matrix, fitted by variational Bayes.
///
/// Kim & Ghahramani (2012), *Bayesian Classifier Combination*, AISTATS, JMLR W&CP 22; the fit is
/// the one of the reference implementation of Li, Rubinstein & Cohn (`code/ibcc.py` in
/// `yuan-li/truth-inference-at-scale`): start from majority-vote shares; each iteration sets
/// `q(π) = Dir(α + Σ_i q(z_i))` and `q(v_jk) = Dir(prior_k + n_jk)` (n: the expected counts of
/// worker j answering each label when the truth is k), then
/// `q(z_i = k) ∝ exp(E ln π_k + Σ_answers E ln v_jk,answer)`; stop when no probability moved by
/// more than `tolerance + 1e-5 · |new|` (numpy's `allclose`) or after `maxIterations`. The prior
/// of confusion row k is `diagonalPrior` on the diagonal and `offDiagonalPrior` elsewhere
/// (the reference's `a_v = 4`, `b_v = 1`); the class prior is `classPrior` (`alpha = 1`).
/// As in the reference, an answer repeated with the same (task, worker, label) counts once.
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try IBCC().fit(answers)                       // the reference's priors
/// let names = model.labels.map { answers.labels[Int($0)] }
/// let p = model.confusions[0, 1, 0]                         // E[P(worker 0 says label 1 | truth 0)]
/// print(model.iterations, model.elboHistory.last!)
/// ```
public struct IBCC: Aggregator {
    /// Prior pseudo-count on each confusion row's diagonal (the reference's `a_v`).
    public var diagonalPrior: Double
    /// Prior pseudo-count off the diagonal (the reference's `b_v`).
    public var offDiagonalPrior: Double
    /// Dirichlet pseudo-count of every class proportion (the reference's `alpha`).
    public var classPrior: Double
    /// At most this many iterations (the reference: 500).
    public var maxIterations: Int
    /// Stop when every posterior moved by at most `tolerance + 1e-5 · |new value|` (the reference:
    /// `np.allclose(..., atol=1e-3)`).
    public var tolerance: Double
    /// Called after every iteration with (iteration, ELBO).
    public var progress: (@Sendable (Int, Double) -> Void)?
    /// Threads and kernels: the task pass is Dawid-Skene's (C, AVX2 where the CPU has it, tasks
    /// split over threads on large inputs) and the per-worker Dirichlet expectations are split over
    /// worker ranges; results do not depend on the thread count beyond the last bits.
    public var execution: ExecutionSettings

    /// The relative part of the stopping test (numpy's `allclose` default).
    public static let relativeTolerance = 1e-5

    /// IBCC with the reference's defaults: priors 4 / 1 / 1, at most 500 iterations, tolerance 1e-3.
    public init(diagonalPrior: Double = 4, offDiagonalPrior: Double = 1, classPrior: Double = 1,
                maxIterations: Int = 500, tolerance: Double = 1e-3,
                progress: (@Sendable (Int, Double) -> Void)? = nil, execution: ExecutionSettings = ExecutionSettings()) {
        self.diagonalPrior = diagonalPrior
        self.offDiagonalPrior = offDiagonalPrior
        self.classPrior = classPrior
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.progress = progress
        self.execution = execution
    }

    /// Fits IBCC to `answers`.
    ///
    /// - Throws: ``AggregationError`` for a prior that is not a positive finite number, a negative
    ///   iteration count or tolerance, or a table without answers.
    public func fit(_ answers: AnswerTable) throws -> IBCCModel {
        try AggregationError.checkIterations(maxIterations, tolerance: tolerance)
        guard tolerance >= 0 else { throw AggregationError("ibcc: the tolerance must be ≥ 0") }
        try AggregationError.checkPositive("ibcc", ["diagonal-prior": diagonalPrior, "off-diagonal-prior": offDiagonalPrior, "class-prior": classPrior])
        try AggregationError.checkNotEmpty(answers, method: "ibcc")
        let k = answers.labelCount, tasks = answers.taskCount, workers = answers.workerCount
        // The reference's boolean matrices keep a repeated (task, worker, label) answer once.
        let view = Self.distinctAnswers(answers)
        let engine = DawidSkeneEngine(answers, mStep: .full, execution: execution, taskView: view)

        // Majority-vote shares of the distinct answers.
        var z = [Double](repeating: 0, count: tasks * k)
        for t in 0..<tasks {
            for e in view.offsets[t]..<view.offsets[t + 1] { z[t * k + Int(view.entries[e]) % k] += 1 }
            let total = Double(view.offsets[t + 1] - view.offsets[t])
            for c in 0..<k { z[t * k + c] /= total }
        }
        // n[(j * K + l) * K + c]: expected count of worker j answering l when the truth is c.
        var n = engine.scatter(z)
        var classTotals = [Double](repeating: 0, count: k)
        for t in 0..<tasks { for c in 0..<k { classTotals[c] += z[t * k + c] } }
        var next = z

        let rowPrior = diagonalPrior + Double(k - 1) * offDiagonalPrior
        let dirichlet = DirichletRows(k: k, diagonal: diagonalPrior, offDiagonal: offDiagonalPrior, observed: engine.observed,
                                      workerRanges: balancedRows(workers, count: workers * k * k >= 16_384 ? execution.threads : 1))
        defer { dirichlet.deallocate() }
        var logV = [Double](repeating: 0, count: workers * k * k)
        var logPi = [Double](repeating: 0, count: k)
        let slots = PassSlots(count: engine.partitions.count, tableSize: workers * k * k, k: k)
        defer { slots.deallocate() }
        var elbos: [Double] = []
        var iterations = 0, converged = false

        var iterationStart = ContinuousClock.now
        while iterations < maxIterations && !converged {
            iterations += 1
            // q(π) and q(v) from the current z, and their KL terms of the ELBO.
            var piTotal = 0.0, kl = 0.0
            for c in 0..<k {
                let a = classTotals[c] + classPrior
                logPi[c] = MACECrowdKitEngine.digamma(a)
                piTotal += a
            }
            let piNorm = MACECrowdKitEngine.digamma(piTotal)
            kl += lgamma(piTotal) - lgamma(Double(k) * classPrior) + Double(k) * lgamma(classPrior)
            for c in 0..<k {
                let a = classTotals[c] + classPrior
                kl += -lgamma(a) + (a - classPrior) * (logPi[c] - piNorm)
            }
            kl += dirichlet.expectations(counts: n, logV: &logV)

            // Dawid-Skene's fused pass: q(z) from E ln π and E ln v, and the next counts.
            let (priorSum, clippedEntropy) = k == 2
                ? engine.passBinary(logPrior: logPi, logConfusion: logV, posteriors: &next, counts: &n, hard: false, slots: slots)
                : engine.pass(logPrior: logPi, logConfusion: logV, posteriors: &next, counts: &n, hard: false, slots: slots)
            let (moved, entropyCorrection) = Self.compare(z, next, k: k, parts: engine.partitions,
                                                          atol: tolerance, rtol: Self.relativeTolerance)
            // Σ_t ln Σ_c exp(score) = Σ_t Σ_c q ln-score − Σ q ln q, the scores being E ln π + Σ E ln v.
            var scoreSum = 0.0
            for c in 0..<k { scoreSum += priorSum[c] * logPi[c] }
            scoreSum += dirichlet.dot(n, logV)
            let logSum = scoreSum - (clippedEntropy - entropyCorrection)
            let elbo = logSum - Double(tasks) * piNorm - kl
            elbos.append(elbo)
            progress?(iterations, elbo)
            swap(&z, &next)
            classTotals = priorSum
            converged = !moved
            if let timing = execution.iterationTiming {
                timing(iterations, (ContinuousClock.now - iterationStart).seconds)
                iterationStart = .now
            }
        }

        // Posterior means of the confusion rows and class proportions, from the final z.
        var confusion = [Double](repeating: 0, count: workers * k * k)
        for j in 0..<workers {
            let base = j * k * k
            for c in 0..<k {
                var sum = rowPrior
                for l in 0..<k { sum += n[base + l * k + c] }
                for l in 0..<k { confusion[base + l * k + c] = (n[base + l * k + c] + (l == c ? diagonalPrior : offDiagonalPrior)) / sum }
            }
        }
        let piTotal = Double(tasks) + Double(k) * classPrior
        let proportions = classTotals.map { ($0 + classPrior) / piTotal }
        let probabilities = ProbabilityMatrix(rows: tasks, columns: k, values: z)
        return IBCCModel(labels: probabilities.argmaxFirst(), probabilities: probabilities,
                         confusions: ConfusionMatrices(workerCount: workers, labelCount: k, values: confusion,
                                                       observed: [Bool](repeating: true, count: workers * k)),
                         classProportions: proportions, elboHistory: elbos, iterations: iterations, converged: converged)
    }

    /// Whether any posterior moved beyond `atol + rtol · |new|`, and how much the pass's entropy
    /// overstates: it counts `1e-10 ln 1e-10` (crowd-kit's clip) for a probability below 1e-10
    /// where the exact term is `q ln q`; the sum of those differences.
    static func compare(_ old: [Double], _ new: [Double], k: Int, parts: [Range<Int>], atol: Double, rtol: Double)
        -> (moved: Bool, correction: Double) {
        let results = UnsafeMutableBufferPointer<(Bool, Double)>.allocate(capacity: parts.count)
        defer { results.deallocate() }
        let out = UncheckedSendable(results)
        let eps = DawidSkeneEngine.eps, epsTerm = eps * DawidSkeneEngine.logEps
        old.withUnsafeBufferPointer { o in
            new.withUnsafeBufferPointer { p in
                let (o, p) = (UncheckedSendable(o), UncheckedSendable(p))
                parallelFor(parts.count) { part in
                    var moved = false, correction = 0.0
                    for i in (parts[part].lowerBound * k)..<(parts[part].upperBound * k) {
                        let v = p.value[i]
                        if !(abs(o.value[i] - v) <= atol + rtol * abs(v)) { moved = true }
                        if v < eps { correction += epsTerm - (v > 0 ? v * log(v) : 0) }
                    }
                    out.value[part] = (moved, correction)
                }
            }
        }
        return (results.contains { $0.0 }, results.reduce(0) { $0 + $1.1 })
    }

    /// The task-sorted answers with repeated (task, worker, label) answers kept once, as the
    /// reference's boolean sparse matrices keep them; the table's own view when nothing repeats.
    static func distinctAnswers(_ answers: AnswerTable) -> (offsets: [Int], entries: [Int32]) {
        let csr = answers.byTask
        guard answers.duplicates.pairs > 0 else { return (csr.offsets, csr.entries) }
        var offsets = [0], entries: [Int32] = []
        offsets.reserveCapacity(csr.rowCount + 1)
        entries.reserveCapacity(csr.entries.count)
        for t in 0..<csr.rowCount {
            let start = entries.count
            for e in csr.range(of: t) where !entries[start...].contains(csr.entries[e]) { entries.append(csr.entries[e]) }
            offsets.append(entries.count)
        }
        return (offsets, entries)
    }
}

/// The per-worker step of IBCC: `E ln v = ψ(n + prior) − ψ(row sum)` for every confusion row and
/// the rows' KL divergences from their prior, over worker ranges in parallel. Per range, the
/// arguments that are not negligible are gathered and ψ and ln Γ of all of them made by one call
/// of the vector kernel (`tally_digamma_loggamma`, special.c: AVX2 where the CPU has it).
struct DirichletRows {
    let k: Int
    let diagonal: Double, offDiagonal: Double
    /// `observed[j * K + l]`: worker j gave label l (else the counts of that row are all 0).
    let observed: [Bool]
    let workerRanges: [Range<Int>]
    /// Per worker range, the buffers of the gathered arguments (allocated once per fit; freed by
    /// ``deallocate()``).
    let scratch: [Scratch]

    /// Buffers for one worker range: arguments, ψ and ln Γ of each, the cell each goes to and the
    /// row it subtracts, and the rows' ψ.
    struct Scratch {
        let args: UnsafeMutablePointer<Double>, psi: UnsafeMutablePointer<Double>, lg: UnsafeMutablePointer<Double>
        let slot: UnsafeMutablePointer<Int>, rowOf: UnsafeMutablePointer<Int>, rows: UnsafeMutablePointer<Double>

        /// Room for a range of `workers` workers with `k` labels: K rows and K² cells each.
        init(workers: Int, k: Int) {
            let n = Swift.max(1, workers * k * (k + 1))
            args = .allocate(capacity: n); psi = .allocate(capacity: n); lg = .allocate(capacity: n)
            slot = .allocate(capacity: n); rowOf = .allocate(capacity: n)
            rows = .allocate(capacity: Swift.max(1, workers * k))
        }

        /// Frees the buffers.
        func deallocate() {
            args.deallocate(); psi.deallocate(); lg.deallocate(); slot.deallocate(); rowOf.deallocate(); rows.deallocate()
        }
    }

    /// The step for `k` labels with these priors over `workerRanges` (one part each, in parallel).
    init(k: Int, diagonal: Double, offDiagonal: Double, observed: [Bool], workerRanges: [Range<Int>]) {
        self.k = k
        self.diagonal = diagonal
        self.offDiagonal = offDiagonal
        self.observed = observed
        self.workerRanges = workerRanges
        scratch = workerRanges.map { Scratch(workers: $0.count, k: k) }
    }

    /// Frees the buffers.
    func deallocate() { for s in scratch { s.deallocate() } }

    /// Fills `logV` from the counts; returns `Σ_{j,c} KL(q(v_jc) ‖ prior)`.
    func expectations(counts n: [Double], logV: inout [Double]) -> Double {
        let k = self.k, diagonal = self.diagonal, offDiagonal = self.offDiagonal
        let rowPrior = diagonal + Double(k - 1) * offDiagonal
        let priorLogGamma = lgamma(diagonal) + Double(k - 1) * lgamma(offDiagonal) - lgamma(rowPrior)
        let ranges = workerRanges
        // A label the worker never gave has zero counts: ψ and ln Γ of the prior, computed once.
        let (diagonalPsi, diagonalLogGamma) = DirichletFunctions.digammaLogGamma(diagonal)
        let (offPsi, offLogGamma) = DirichletFunctions.digammaLogGamma(offDiagonal)
        // Counts below `negligible` (a confident posterior makes many 1e-20 and smaller) are taken
        // to first order about the prior, as in EBCC: the left-out terms stay below 1e-18.
        let terms = PriorTerms(diagonal: diagonal, offDiagonal: offDiagonal, labels: k)
        let kls = UnsafeMutableBufferPointer<Double>.allocate(capacity: ranges.count)
        defer { kls.deallocate() }
        let out = UncheckedSendable(kls)
        let scratch = UncheckedSendable(self.scratch)
        n.withUnsafeBufferPointer { n in
            logV.withUnsafeMutableBufferPointer { logV in
            observed.withUnsafeBufferPointer { observed in
                let (n, logV, observed) = (UncheckedSendable(n), UncheckedSendable(logV), UncheckedSendable(observed))
                parallelFor(ranges.count) { part in
                    let range = ranges[part]
                    // Arguments of ψ / ln Γ that are not negligible, gathered for the vector kernel
                    // (`tally_digamma_loggamma`: AVX2 where the CPU has it), with where each goes.
                    let sc = scratch.value[part]
                    let (args, psi, lg, slot, rowOf, rowDigamma) = (sc.args, sc.psi, sc.lg, sc.slot, sc.rowOf, sc.rows)
                    var kl = 0.0
                    // Rows: ψ(row prior + row count) for every (worker, truth) of the range.
                    var gathered = 0
                    for j in range {
                        let counts = n.value.baseAddress! + j * k * k, rd = rowDigamma + (j - range.lowerBound) * k
                        for c in 0..<k { rd[c] = 0 }
                        for l in 0..<k { for c in 0..<k { rd[c] += counts[l * k + c] } }
                        for c in 0..<k {
                            let count = rd[c]
                            if count < terms.row.negligible {
                                rd[c] = terms.row.digamma + terms.row.trigamma * count
                                kl += terms.row.logGamma + terms.row.digamma * count + priorLogGamma
                                continue
                            }
                            args[gathered] = rowPrior + count
                            slot[gathered] = (j - range.lowerBound) * k + c
                            gathered += 1
                        }
                    }
                    tally_digamma_loggamma(args, psi, lg, Int64(gathered))
                    for i in 0..<gathered {
                        rowDigamma[slot[i]] = psi[i]
                        kl += lg[i] + priorLogGamma
                    }
                    // Cells: E ln v = ψ(prior + count) − ψ(row), the KL terms.
                    gathered = 0
                    for j in range {
                        let counts = n.value.baseAddress! + j * k * k, lv = logV.value.baseAddress! + j * k * k
                        let rd = rowDigamma + (j - range.lowerBound) * k
                        for l in 0..<k {
                            if !observed.value[j * k + l] {
                                for c in 0..<k {
                                    lv[l * k + c] = (l == c ? diagonalPsi : offPsi) - rd[c]
                                    kl -= l == c ? diagonalLogGamma : offLogGamma
                                }
                                continue
                            }
                            for c in 0..<k {
                                let count = counts[l * k + c]
                                let first = l == c ? terms.diagonal : terms.offDiagonal
                                if count < first.negligible {
                                    let v = first.digamma + first.trigamma * count - rd[c]
                                    lv[l * k + c] = v
                                    kl += -(first.logGamma + first.digamma * count) + count * v
                                    continue
                                }
                                args[gathered] = count + (l == c ? diagonal : offDiagonal)
                                slot[gathered] = j * k * k + l * k + c
                                rowOf[gathered] = (j - range.lowerBound) * k + c
                                gathered += 1
                            }
                        }
                    }
                    tally_digamma_loggamma(args, psi, lg, Int64(gathered))
                    let base = logV.value.baseAddress!, all = n.value.baseAddress!
                    for i in 0..<gathered {
                        let cell = slot[i]
                        let v = psi[i] - rowDigamma[rowOf[i]]
                        base[cell] = v
                        kl += -lg[i] + all[cell] * v
                    }
                    out.value[part] = kl
                }
            }
            }
        }
        return kls.reduce(0, +)
    }

    /// `Σ a_i b_i`.
    func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var i = 0
                while i + 4 <= a.count {
                    s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
                    i += 4
                }
                while i < a.count { s0 += a[i] * b[i]; i += 1 }
            }
        }
        return (s0 + s1) + (s2 + s3)
    }
}

/// A fitted ``IBCC``: posteriors, labels, expected confusion matrices and the ELBO.
public struct IBCCModel: FittedModel {
    /// Per task id, the label id of highest posterior (ties to the first label).
    public let labels: [Int32]
    /// Per task, `q(z = label)`.
    public let probabilities: ProbabilityMatrix
    /// None: IBCC's workers are described by ``confusions``.
    public var skills: [Double]? { nil }
    /// Posterior means of the confusion matrices, `confusions[w, answer, truth]`, from the final
    /// posteriors; every row exists (the prior fills rows a worker never answered).
    public let confusions: ConfusionMatrices
    /// Posterior mean of the class proportions, in label order.
    public let classProportions: [Double]
    /// The evidence lower bound after each iteration (of the new `q(z)` with the `q(π)`, `q(v)`
    /// it was computed from); it never decreases.
    public let elboHistory: [Double]
    /// Iterations run.
    public let iterations: Int
    /// Whether the stopping test held before `maxIterations`.
    public let converged: Bool
}
