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

    /// The relative part of the stopping test (numpy's `allclose` default).
    public static let relativeTolerance = 1e-5

    /// IBCC with the reference's defaults: priors 4 / 1 / 1, at most 500 iterations, tolerance 1e-3.
    public init(diagonalPrior: Double = 4, offDiagonalPrior: Double = 1, classPrior: Double = 1,
                maxIterations: Int = 500, tolerance: Double = 1e-3,
                progress: (@Sendable (Int, Double) -> Void)? = nil) {
        self.diagonalPrior = diagonalPrior
        self.offDiagonalPrior = offDiagonalPrior
        self.classPrior = classPrior
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.progress = progress
    }

    /// Fits IBCC to `answers`.
    ///
    /// - Throws: ``AggregationError`` for a prior that is not a positive finite number, a negative
    ///   iteration count or tolerance, or a table without answers.
    public func fit(_ answers: AnswerTable) throws -> IBCCModel {
        try AggregationError.checkIterations(maxIterations, tolerance: tolerance)
        guard tolerance >= 0 else { throw AggregationError("ibcc: the tolerance must be ≥ 0") }
        for (name, v) in [("diagonal-prior", diagonalPrior), ("off-diagonal-prior", offDiagonalPrior), ("class-prior", classPrior)] {
            guard v.isFinite && v > 0 else { throw AggregationError("ibcc: \(name) must be a positive number, got \(v)") }
        }
        guard answers.answerCount > 0, answers.taskCount > 0, answers.labelCount > 0 else {
            throw AggregationError("ibcc: no answers to aggregate")
        }
        let k = answers.labelCount, tasks = answers.taskCount, workers = answers.workerCount
        let (offsets, entries) = Self.distinctAnswers(answers)

        var z = [Double](repeating: 0, count: tasks * k)
        for t in 0..<tasks {
            for e in offsets[t]..<offsets[t + 1] { z[t * k + Int(entries[e]) % k] += 1 }
            let total = Double(offsets[t + 1] - offsets[t])
            for c in 0..<k { z[t * k + c] /= total }
        }
        // n[(j * K + l) * K + c]: expected count of worker j answering l when the truth is c.
        var n = [Double](repeating: 0, count: workers * k * k)
        var classTotals = [Double](repeating: 0, count: k)
        Self.accumulate(z: z, offsets: offsets, entries: entries, k: k, into: &n, totals: &classTotals)

        let rowPrior = diagonalPrior + Double(k - 1) * offDiagonalPrior
        // The constant part of KL(q(v_jc) ‖ prior): ln Γ of the prior's entries and of its sum.
        let priorLogGamma = lgamma(diagonalPrior) + Double(k - 1) * lgamma(offDiagonalPrior) - lgamma(rowPrior)
        var logV = [Double](repeating: 0, count: workers * k * k)
        var logPi = [Double](repeating: 0, count: k)
        var rowDigamma = [Double](repeating: 0, count: k)
        var rowSum = [Double](repeating: 0, count: k)
        var nextN = [Double](repeating: 0, count: workers * k * k)
        var nextTotals = [Double](repeating: 0, count: k)
        var score = [Double](repeating: 0, count: k)
        var elbos: [Double] = []
        var iterations = 0, converged = false

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
            n.withUnsafeBufferPointer { n in
                logV.withUnsafeMutableBufferPointer { logV in
                    for j in 0..<workers {
                        let base = j * k * k
                        for c in 0..<k { rowSum[c] = rowPrior }
                        for l in 0..<k { for c in 0..<k { rowSum[c] += n[base + l * k + c] } }
                        for c in 0..<k { rowDigamma[c] = MACECrowdKitEngine.digamma(rowSum[c]); kl += lgamma(rowSum[c]) + priorLogGamma }
                        for l in 0..<k {
                            for c in 0..<k {
                                let prior = l == c ? diagonalPrior : offDiagonalPrior
                                let a = n[base + l * k + c] + prior
                                let lv = MACECrowdKitEngine.digamma(a) - rowDigamma[c]
                                logV[base + l * k + c] = lv
                                kl += -lgamma(a) + (a - prior) * lv
                            }
                        }
                    }
                }
            }

            // One pass over the task-sorted answers: the new z, the stopping test, the ELBO's
            // task terms (ln Σ_c exp score = E ln p(y, z) − E ln q(z) up to the π norm), and the
            // counts of the next iteration.
            for i in nextN.indices { nextN[i] = 0 }
            for c in 0..<k { nextTotals[c] = 0 }
            let (logSum, moved) = Self.taskPass(tasks: tasks, k: k, offsets: offsets, entries: entries, logPi: logPi, logV: logV,
                                                z: &z, score: &score, nextN: &nextN, nextTotals: &nextTotals,
                                                atol: tolerance, rtol: Self.relativeTolerance)
            let elbo = logSum - Double(tasks) * piNorm - kl
            elbos.append(elbo)
            progress?(iterations, elbo)
            swap(&n, &nextN)
            swap(&classTotals, &nextTotals)
            converged = !moved
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

    /// One pass over the task-sorted answers: each task's new posterior from `logPi` and `logV`,
    /// whether any moved beyond the tolerance, Σ_t ln Σ_c exp score, and the next counts.
    static func taskPass(tasks: Int, k: Int, offsets: [Int], entries: [Int32], logPi: [Double], logV: [Double],
                         z: inout [Double], score: inout [Double], nextN: inout [Double], nextTotals: inout [Double],
                         atol: Double, rtol: Double) -> (logSum: Double, moved: Bool) {
        var logSum = 0.0, moved = false
        offsets.withUnsafeBufferPointer { offsets in
        entries.withUnsafeBufferPointer { entries in
        logPi.withUnsafeBufferPointer { logPi in
        logV.withUnsafeBufferPointer { logV in
        z.withUnsafeMutableBufferPointer { z in
        score.withUnsafeMutableBufferPointer { s in
        nextN.withUnsafeMutableBufferPointer { nextN in
        nextTotals.withUnsafeMutableBufferPointer { nextTotals in
            let (entries, logPi, logV, z, s, nextN, nextTotals) = (entries.baseAddress!, logPi.baseAddress!, logV.baseAddress!,
                                                                   z.baseAddress!, s.baseAddress!, nextN.baseAddress!, nextTotals.baseAddress!)
            var localSum = 0.0, localMoved = false
            for t in 0..<tasks {
                for c in 0..<k { s[c] = logPi[c] }
                let range = offsets[t]..<offsets[t + 1]
                for e in range {
                    let row = logV + Int(entries[e]) * k
                    for c in 0..<k { s[c] += row[c] }
                }
                var m = s[0]
                for c in 1..<max(k, 1) where s[c] > m { m = s[c] }
                var total = 0.0
                for c in 0..<k { s[c] = exp(s[c] - m); total += s[c] }
                localSum += m + log(total)
                let zt = z + t * k
                for c in 0..<k {
                    let v = s[c] / total
                    if !(abs(zt[c] - v) <= atol + rtol * abs(v)) { localMoved = true }
                    zt[c] = v
                    nextTotals[c] += v
                }
                for e in range {
                    let row = nextN + Int(entries[e]) * k
                    for c in 0..<k { row[c] += zt[c] }
                }
            }
            logSum = localSum
            moved = localMoved
        }}}}}}}}
        return (logSum, moved)
    }

    /// The task-sorted answers with repeated (task, worker, label) answers kept once, as the
    /// reference's boolean sparse matrices keep them; the table's own view when nothing repeats.
    static func distinctAnswers(_ answers: AnswerTable) -> (offsets: [Int], entries: [Int32]) {
        let csr = answers.byTask
        guard answers.duplicates.pairs > 0 else { return (csr.offsets, csr.entries) }
        var offsets = [0], entries: [Int32] = []
        entries.reserveCapacity(csr.entries.count)
        for t in 0..<csr.rowCount {
            let start = entries.count
            for e in csr.range(of: t) where !entries[start...].contains(csr.entries[e]) { entries.append(csr.entries[e]) }
            offsets.append(entries.count)
        }
        return (offsets, entries)
    }

    /// Adds each task's posterior to the counts of the (worker, label) pairs that answered it.
    static func accumulate(z: [Double], offsets: [Int], entries: [Int32], k: Int, into n: inout [Double], totals: inout [Double]) {
        for t in 0..<(offsets.count - 1) {
            for c in 0..<k { totals[c] += z[t * k + c] }
            for e in offsets[t]..<offsets[t + 1] {
                let row = Int(entries[e]) * k
                for c in 0..<k { n[row + c] += z[t * k + c] }
            }
        }
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
