import Foundation
import TallyCore

/// The Bradley–Terry model with noisy workers: crowd-kit 1.4.2's `NoisyBradleyTerry`.
///
/// Each worker `w` has a skill `γ_w` and a bias `q_w`: with probability `σ(γ_w)` the worker
/// answers by the model (`i` beats `j` with probability `σ(sᵢ − sⱼ)`), otherwise picks the left
/// item with probability `σ(q_w)`. Item scores, biases and skills (plus one anchor for a weak
/// regularisation of the scores, `regularization`) start uniform in [0, 1) from numpy's
/// `RandomState(seed)` and are fitted by L-BFGS-B (``LimitedMemoryBFGS``, SciPy's algorithm)
/// with at most `maxIterations` iterations and relative-reduction tolerance `tolerance` (as a
/// 32-bit float, as crowd-kit passes it). Items and workers are numbered in sorted order, as
/// crowd-kit's `np.unique` numbers them.
///
/// The gradient is crowd-kit's as written, defects included, so that the optimiser takes the
/// same steps: the skill and bias derivatives are stored one slot before their variables (the
/// first worker's bias derivative lands on the last item's score) and each row overwrites,
/// rather than adds to, its worker's entries; the last worker's skill gets no gradient. The
/// objective itself is the model's log-likelihood. Scores, skills and biases are reported
/// through the logistic function, as crowd-kit reports them.
///
/// ```swift
/// let comparisons = try PairwiseAnswers(workers: ["w1", "w2", "w3"], left: ["a", "b", "c"], right: ["b", "c", "a"], winners: ["a", "b", "c"])
/// let model = NoisyBradleyTerry().fit(comparisons)
/// print(model.scores, model.skills)
/// ```
public struct NoisyBradleyTerry: Sendable {
    /// At most this many L-BFGS-B iterations (crowd-kit's `n_iter`).
    public var maxIterations: Int
    /// The relative reduction of the objective that stops the fit (crowd-kit's `tol`).
    public var tolerance: Double
    /// The weight of the regularisation of the scores (crowd-kit's `regularization_ratio`).
    public var regularization: Double
    /// The seed of the starting values (crowd-kit's `random_state`).
    public var seed: UInt32

    /// A model with these settings.
    public init(maxIterations: Int = 100, tolerance: Double = 1e-5, regularization: Double = 1e-5, seed: UInt32 = 0) {
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.regularization = regularization
        self.seed = seed
    }

    /// Fits item scores, worker skills and biases to `answers`.
    public func fit(_ answers: PairwiseAnswers) -> NoisyBradleyTerryModel {
        let graph = PairwiseGraph(answers)
        let items = graph.itemCount
        let workerOrder = LabelSet(answers.workers.names)
        let workers = workerOrder.count
        var workerPosition = [Int32](repeating: 0, count: workers)
        for (pos, name) in workerOrder.names.enumerated() { workerPosition[Int(answers.workers.lookup(name)!)] = Int32(pos) }
        let m = answers.comparisonCount
        // crowd-kit's np_data (+1: slot 0 is the anchor) and np_workers.
        var left = [Int32](repeating: 0, count: m), right = left, worker = left
        var y = [Double](repeating: 0, count: m)
        for i in 0..<m {
            left[i] = graph.positionOf[Int(answers.left[i])] + 1
            right[i] = graph.positionOf[Int(answers.right[i])] + 1
            worker[i] = workerPosition[Int(answers.worker[i])]
            y[i] = answers.winner[i] == answers.left[i] ? 1 : -1
        }
        var random = NumpyRandomState(seed: seed)
        let x0 = (0..<(1 + items + 2 * workers)).map { _ in random.randomSample() }
        let objective = NoisyBTObjective(left: left, right: right, worker: worker, y: y, items: items, workers: workers, regularization: regularization)
        let optimiser = LimitedMemoryBFGS(maxIterations: maxIterations, relativeReduction: Double(Float(tolerance)))
        let result = optimiser.minimize(x0) { x, g in objective.evaluate(x, gradient: &g) }
        let x = result.x
        func expit(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        let scores = graph.byItemId((0..<items).map { expit(x[1 + $0]) })
        var biases = [Double](repeating: 0, count: workers), skills = biases
        for w in 0..<workers {
            let pos = Int(workerPosition[w])
            biases[w] = expit(x[1 + items + pos])
            skills[w] = expit(x[1 + items + workers + pos])
        }
        return NoisyBradleyTerryModel(scores: scores, skills: skills, biases: biases, iterations: result.iterations,
                                      evaluations: result.evaluations, loss: result.value, stoppedBy: result.reason)
    }
}

/// A fitted ``NoisyBradleyTerry`` model.
public struct NoisyBradleyTerryModel: Sendable {
    /// The score of each item id, in (0, 1) (higher ranks first).
    public let scores: [Double]
    /// Each worker id's probability of answering by the model.
    public let skills: [Double]
    /// Each worker id's probability of choosing the left item when not answering by the model.
    public let biases: [Double]
    /// L-BFGS-B iterations run.
    public let iterations: Int
    /// Objective evaluations.
    public let evaluations: Int
    /// The final objective (negative log-likelihood plus regularisation).
    public let loss: Double
    /// Why the optimiser stopped: `gradient`, `reduction`, `iterations` or `line search`.
    public let stoppedBy: String
}

/// crowd-kit's `_compute_log_likelihood` and `_compute_gradient`, with its layout of `x`:
/// `[anchor, items…, biases…, skills…]`.
struct NoisyBTObjective: Sendable {
    let left: [Int32], right: [Int32], worker: [Int32]
    let y: [Double]
    let items: Int, workers: Int
    let regularization: Double

    @inline(__always) static func expit(_ v: Double) -> Double { 1 / (1 + exp(-v)) }

    func evaluate(_ x: [Double], gradient g: inout [Double]) -> Double {
        let m = left.count
        let L = items, W = workers
        // Per-row terms and derivative pieces, in parallel; then summed and scattered in row order.
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: 5 * m)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!
        let chunks = max(1, min(64, m / 16_384))
        x.withUnsafeBufferPointer { xp in
            let rows = UncheckedRows(terms: base, dLeft: base + m, dRight: base + 2 * m, dQ: base + 3 * m, dGamma: base + 4 * m, x: xp.baseAddress!)
            let me = self
            parallelFor(chunks) { c in
                let lo = m * c / chunks, hi = m * (c + 1) / chunks
                for i in lo..<hi { me.row(i, rows) }
            }
        }
        let terms = UnsafeBufferPointer(start: base, count: m)
        let dLeft = base + m, dRight = base + 2 * m, dQ = base + 3 * m, dGamma = base + 4 * m
        let total = numpySum(terms)
        var reg = 0.0
        var low = [Double](repeating: 0, count: L), high = low, tanhs = low
        for k in 0..<L {
            low[k] = log(Self.expit(x[0] - x[1 + k]))
            high[k] = log(Self.expit(x[1 + k] - x[0]))
            tanhs[k] = tanh((x[1 + k] - x[0]) / 2.0)
        }
        reg = numpySum(low) + numpySum(high)
        for k in 0..<g.count { g[k] = 0 }
        for i in 0..<m {
            let w = Int(worker[i])
            g[Int(left[i])] += dLeft[i]
            g[Int(right[i])] += dRight[i]
            g[L + w] = dQ[i]
            g[L + W + w] = dGamma[i]
        }
        for k in 0..<L { g[1 + k] -= regularization * tanhs[k] }
        g[0] += regularization * numpySum(tanhs)
        for k in 0..<g.count { g[k] = -g[k] }
        return -total + regularization * reg
    }

    /// Raw pointers to the per-row outputs (each row writes only its own entries).
    struct UncheckedRows: @unchecked Sendable {
        let terms: UnsafeMutablePointer<Double>, dLeft: UnsafeMutablePointer<Double>, dRight: UnsafeMutablePointer<Double>
        let dQ: UnsafeMutablePointer<Double>, dGamma: UnsafeMutablePointer<Double>
        let x: UnsafePointer<Double>
    }

    /// Row `i`'s log-likelihood term and crowd-kit's four derivative expressions, as written.
    @inline(__always) func row(_ i: Int, _ r: UncheckedRows) {
        let x = r.x
        let si = x[Int(left[i])], sj = x[Int(right[i])]
        let yv = y[i]
        let w = Int(worker[i])
        let q = x[1 + items + w], gamma = x[1 + items + workers + w]
        // Objective (crowd-kit's vectorised expression).
        let eg = Self.expit(gamma)
        r.terms[i] = log(eg * Self.expit(yv * (si - sj)) + (1 - eg) * Self.expit(yv * q))
        // Gradient (crowd-kit's scalar expressions; repeated exponentials computed once).
        let eNegDiff = exp(yv * (-(si - sj)))
        let eNegGamma = exp(-gamma)
        let eNegQ = exp(-q * yv)
        let a = eNegGamma + 1, b = eNegDiff + 1
        r.dLeft[i] = (yv * eNegDiff) / (a * (b * b) * (1 / (a * b) + (1 - 1 / a) / (eNegQ + 1)))
        let eQ = exp(q * yv)
        let diff = yv * (si - sj)
        let eDiff = exp(diff)
        let eDiffGamma = exp(diff + gamma)
        r.dRight[i] = -(yv * (eQ + 1) * eDiffGamma) / ((eDiff + 1) * (exp(diff + gamma + q * yv) + eDiffGamma + exp(diff + q * yv) + eQ))
        let eSi = exp(si * yv), eSjQ = exp(yv * (sj + q))
        let eSiQ = exp(yv * (si + q))
        let denominator = exp(yv * (si + q) + gamma) + exp(si * yv + gamma) + eSiQ + eSjQ
        r.dQ[i] = (yv * eQ * (eSi + exp(sj * yv))) / ((eQ + 1) * denominator)
        let eGamma = exp(gamma)
        r.dGamma[i] = (eGamma * (eSi - eSjQ)) / ((eGamma + 1) * denominator)
    }
}
