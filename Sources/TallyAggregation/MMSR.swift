import CTallyBLAS
import Foundation
import TallyCore

/// M-MSR, the matrix mean-subsequence-reduced algorithm: worker skills from a robust rank-one fit
/// of the workers' agreement matrix, then a weighted majority vote.
///
/// Q. Ma, A. Olshevsky, "Adversarial Crowdsourcing Through Robust Rank-One Matrix Completion",
/// NeurIPS 2020. With `K` labels and two workers `i ≠ j` who answered `common_ij` tasks in common,
/// agreeing on `agree_ij` of them, `C_ij = K/(K−1) · agree_ij/common_ij − 1/(K−1)`; in expectation
/// `C ≈ s sᵀ`, with `s_w` a worker's reliability. The fit `|C| ≈ u vᵀ` over the observed pairs
/// alternates trimmed means — `v_j ←` the mean of `|C_ij|/u_i` over `j`'s co-workers without the
/// `F` largest and `F` smallest ratios (only those on the far side of the current `v_j`), then the
/// same for `u` — from `u = v ~ U(0, 1)` (seeded), until the Frobenius change of `u vᵀ` is below
/// `tolerance`. `F = ⌊min co-worker count / 2⌋ − 1`. `s = u · √(‖v‖/‖u‖)` gets its signs from the
/// eigenvector of the smallest eigenvalue of a signed graph over the workers (negative pairs are
/// edges, positive pairs are two-edge paths through a new node; the random-walk matrix's eigenvector
/// two-colours it), with the majority of workers positive. `s` is clipped to
/// `[1/√T − 1/(K−1), 1 − 1/√T]` (`T` tasks), turned into an accuracy `q = s(K−1)/K + 1/K` and a
/// skill `ln(q(K−1)/(1−q))` (negative for a worker below chance), and the skills weigh a majority
/// vote (``MajorityVote``'s kernel: probabilities are the weighted vote shares crowd-kit calls
/// `scores_`; ties go to the first label).
///
/// Parity: crowd-kit 1.4.2 `MMSR`, whose semantics this follows — the start `u = v` is numpy's
/// MT19937 `RandomState(seed)` draw, so a seed gives crowd-kit's start for that `random_state`
/// (when `F = −1` the result depends on it: crowd-kit's vldb-rel accuracy spans 0.4251–0.4377 over
/// random_state 0–5) — including two of its quirks:
/// * the sign graph is built from crowd-kit's whole `C` matrix, in which every pair of workers
///   with no task in common (and each worker with itself) holds `−1/(K−1)`: those pairs count as
///   negative edges (``SignGraph/crowdKit``, the default). The paper's graph has observed pairs
///   only (``SignGraph/observedPairs``); on our 22 data sets where crowd-kit finishes it is more
///   accurate on most (e.g. snow-rte 0.9175 against 0.8575, act-cf 0.853 against 0.773) and at most
///   0.5 points worse (vldb-dog, zhou-web);
/// * when some worker has at most one co-worker, `F` is −1 and crowd-kit's slicing keeps only the
///   largest ratio, so each update takes the maximum instead of a mean (vldb-rel, spectral-trec).
///
/// Differences, by design (crowd-kit gives NaN skills, inf ratios, or fails there):
/// * a ratio whose divisor is exactly 0 (a worker whose every kept ratio was 0) is left out;
/// * workers with no co-worker get skill 0 (their weight only matters on tasks they answered
///   alone, where it cannot change the label); they are counted in
///   ``MMSRModel/workersWithoutCoworkers``;
/// * a worker left out of the sign graph (its `C` row sums to 0) gets skill 0, as in crowd-kit;
///   if the signs split exactly evenly, the eigenvector is taken as it comes (crowd-kit zeroes all);
/// * one label: every task gets it, all skills 0, no fit;
/// * a repeated (task, worker) pair counts once, with the worker's last answer (crowd-kit's
///   observation matrix); the final vote uses every answer, as crowd-kit's does.
///
/// Crowded tasks: on a task with more than ``maxCoworkersPerTask`` + 1 answers (default 100),
/// counting every pair of its workers would be quadratic in its answers (10,000 answers on one
/// task are 50 M pairs). There each worker is compared with ``maxCoworkersPerTask`` co-workers
/// only — those at seeded random distances from it in a circle of the task's workers in a seeded
/// random order, a graph through which the trimmed means spread in tens of rounds — so the task
/// costs `answers × maxCoworkersPerTask` pairs; the pairs kept count the task and their agreement
/// as usual, the others treat it as not shared. The same ``seed`` gives the same pairs. No task of
/// the 24 real data sets has more than 66 answers, so crowd-kit parity is untouched; the bound
/// holds under crowd-kit compatibility too (0 removes it, at a quadratic cost).
/// ``MMSRModel/sampledTasks`` counts the tasks sampled.
///
/// Scale: crowd-kit builds dense workers × tasks and workers × workers matrices and loops over all
/// worker pairs in Python; here the agreement counts come from the CSR views (for each worker, its
/// tasks' co-workers, into a workers-long scratch row), and only observed pairs are stored: 12
/// bytes per ordered pair (e.g. 20 M pairs = 40 M entries ≈ 480 MB for 10 k workers × 1 M tasks ×
/// 10 answers). The signed graph has one node per worker and per positive pair; its eigenvector is
/// found with dense LAPACKE `dsyevr` up to 400 nodes, else by LOBPCG over
/// worker-sized vectors (the positive-pair nodes eliminated, the "all unobserved pairs" part applied
/// as a rank-one correction, never stored).
///
/// Known limit: on very large crowds (10 k workers sharing 1 M tasks) the pair graph and the
/// alternating rounds take seconds each, and the eigen-solver may not settle on crowd-kit's dense
/// sign graph; the signs then come from majority vote (``MMSRModel/signsFromMajorityVote``).
/// Timings are in `Benchmarks/README.md`.
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try MMSR(seed: 0).fit(answers)
/// let skillOfFirstWorker = model.workerSkills[0]   // negative: worse than chance
/// ```
public struct MMSR: Aggregator {
    /// Which worker pairs the sign-determination graph uses.
    public enum SignGraph: String, Sendable, CaseIterable {
        /// crowd-kit's: observed pairs by the sign of `C`, every unobserved pair a negative edge.
        case crowdKit = "crowd-kit"
        /// The paper's: observed pairs only.
        case observedPairs = "observed-pairs"
    }

    /// The most alternating rounds (crowd-kit's `n_iter`).
    public var iterations: Int
    /// Stop when the Frobenius norm of the change of `u vᵀ` is below this (crowd-kit's `tol`).
    public var tolerance: Double
    /// Seed of the `U(0, 1)` start of `u = v` (numpy's `RandomState(seed).random_sample`, so the
    /// same seed as crowd-kit's `random_state` gives the same start) and of the eigen-solver's.
    public var seed: UInt64
    /// Which pairs build the sign graph: ``SignGraph/crowdKit`` (default) or the paper's
    /// ``SignGraph/observedPairs``.
    public var signGraph: SignGraph

    /// Sign graphs with at most this many nodes are solved densely.
    static let denseEigenLimit = 400
    /// The iterative eigen-solver stops at residual 1e-10, or when no worker's sign has changed
    /// for this many steps (the real data sets converge in under 100 steps; on 10 k workers × 1 M
    /// tasks the residual falls slowly while the signs settle early).
    static let stableSignSteps = 200

    /// Threads for the pair statistics and the sign solver (large inputs only).
    public var execution: ExecutionSettings
    /// The most co-workers a worker is compared with on one task (rounded down to even; 0: all).
    /// A task with more answers has its pairs sampled (see "Crowded tasks" above).
    public var maxCoworkersPerTask: Int

    /// An M-MSR aggregator; the defaults are crowd-kit 1.4.2's (`n_iter` 10 000, `tol` 1e-10,
    /// `random_state` 0), with at most 100 co-workers per worker on one task.
    public init(iterations: Int = 10000, tolerance: Double = 1e-10, seed: UInt64 = 0, signGraph: SignGraph = .crowdKit,
                maxCoworkersPerTask: Int = 100, execution: ExecutionSettings = ExecutionSettings()) {
        self.execution = execution
        self.maxCoworkersPerTask = maxCoworkersPerTask
        self.iterations = iterations
        self.tolerance = tolerance
        self.seed = seed
        self.signGraph = signGraph
    }

    /// Fits skills by the robust rank-one fit and returns the skill-weighted vote.
    ///
    /// - Throws: ``AggregationError`` when `iterations` is negative, `tolerance` is not finite,
    ///   `seed` is 2³² or more (numpy's `RandomState` takes 32-bit seeds), or
    ///   `maxCoworkersPerTask` is negative or 1.
    public func fit(_ answers: AnswerTable) throws -> MMSRModel {
        try AggregationError.checkIterations(iterations, tolerance: tolerance)
        guard maxCoworkersPerTask == 0 || maxCoworkersPerTask >= 2 else {
            throw AggregationError("the most co-workers per task must be 0 (no limit) or at least 2, not \(maxCoworkersPerTask)")
        }
        guard seed <= UInt64(UInt32.max) else { throw AggregationError("the seed must be below 2^32 (numpy's RandomState seeds)") }
        let nWorkers = answers.workerCount
        let k = answers.labelCount
        if k < 2 {
            let model = MajorityVote.vote(answers, weights: nil, workersWithoutSkill: 0)
            return MMSRModel(labels: model.labels, probabilities: model.probabilities, workerSkills: [Double](repeating: 0, count: nWorkers),
                             accuracies: [Double](repeating: 1, count: nWorkers), iterationsRun: 0, lossHistory: [], trimming: 0,
                             observedPairs: 0, workersWithoutCoworkers: 0, workersWithoutSign: nWorkers, signEigenvalue: .nan,
                             signResidual: 0, signsFromMajorityVote: false, tasksWithZeroWeight: model.tasksWithZeroWeight, sampledTasks: 0)
        }
        let threads = answers.answerCount < 1 << 16 ? 1 : max(1, execution.threads)
        let graph = PairGraph(answers, threads: threads, maxCoworkers: maxCoworkersPerTask, seed: seed)
        let deg = (0..<nWorkers).map { graph.offsets[$0 + 1] - graph.offsets[$0] }
        let minCoworkers = deg.min() ?? 0
        let f = minCoworkers / 2 - 1
        let nTasks = Double(answers.taskCount)
        let floorValue = 1 / nTasks.squareRoot()

        // Robust rank-one fit.
        var rng = NumpyRandomState(seed: UInt32(seed))
        let u = RawBuffer<Double>(nWorkers, 0), v = RawBuffer<Double>(nWorkers, 0)
        for w in 0..<nWorkers { u[w] = rng.randomSample(); v[w] = u[w] }
        let pu = RawBuffer<Double>(nWorkers, 0), pv = RawBuffer<Double>(nWorkers, 0)
        let parts = balancedParts(graph.offsets, count: graph.neighbor.count < 1 << 18 ? 1 : threads * 4)
        let maxRow = deg.max() ?? 0
        let scratch = (0..<parts.count).map { _ in RawBuffer<Double>(maxRow, 0) }
        var loss: [Double] = []
        for _ in 0..<iterations {
            _ = pu.p.update(fromContentsOf: u.p)
            _ = pv.p.update(fromContentsOf: v.p)
            parallelFor(parts.count) { part in
                for j in parts[part] {
                    v[j] = graph.trimmedMean(row: j, divisor: u, f: f, current: v[j], floorValue: floorValue, scratch: scratch[part])
                }
            }
            parallelFor(parts.count) { part in
                for i in parts[part] {
                    u[i] = graph.trimmedMean(row: i, divisor: v, f: f, current: u[i], floorValue: floorValue, scratch: scratch[part])
                }
            }
            let l = frobeniusChange(u: u, v: v, pu: pu, pv: pv, threads: threads)
            loss.append(l)
            if l < tolerance { break }
        }

        // Magnitudes, then signs.
        var nu = 0.0, nv = 0.0
        for w in 0..<nWorkers { nu += u[w] * u[w]; nv += v[w] * v[w] }
        let scale = (nu.squareRoot() / nv.squareRoot()).squareRoot()
        var s = (0..<nWorkers).map { u[$0] / scale }
        var signs = SignSolver(graph: graph, mode: signGraph, labelCount: k, seed: seed, threads: threads).solve()
        let signsFromMajorityVote = !signs.converged
        if signsFromMajorityVote {
            // The eigen-solver did not settle within its budget (seen on 10 M answers with 10 k
            // workers): each worker's sign is whether it agrees with the majority vote more often
            // than chance (1/K), 0 when exactly at chance.
            let mv = MajorityVote.vote(answers, weights: nil, workersWithoutSkill: 0).labels
            var agree = [Int](repeating: 0, count: nWorkers), total = [Int](repeating: 0, count: nWorkers)
            for i in 0..<answers.answerCount {
                let w = Int(answers.worker[i])
                total[w] += 1
                if answers.label[i] == mv[Int(answers.task[i])] { agree[w] += 1 }
            }
            var sign = [Int8](repeating: 0, count: nWorkers)
            for w in 0..<nWorkers where total[w] > 0 {
                let d = Double(agree[w]) * Double(k) - Double(total[w])
                sign[w] = d > 0 ? 1 : (d < 0 ? -1 : 0)
            }
            signs = SignSolver.Result(sign: sign, eigenvalue: signs.eigenvalue, residual: signs.residual, converged: false)
        }
        var withoutSign = 0, withoutCoworkers = 0
        for w in 0..<nWorkers {
            if deg[w] == 0 { s[w] = 0; withoutCoworkers += 1; continue }
            if signs.sign[w] == 0 { s[w] = 0; withoutSign += 1; continue }
            s[w] *= Double(signs.sign[w])
            if !s[w].isFinite { s[w] = 0; withoutSign += 1 }
        }

        // Clip, accuracy, skill.
        let kd = Double(k)
        let upper = 1 - 1 / nTasks.squareRoot(), lower = -1 / (kd - 1) + 1 / nTasks.squareRoot()
        var accuracies = [Double](repeating: 0, count: nWorkers)
        var skills = [Double](repeating: 0, count: nWorkers)
        for w in 0..<nWorkers {
            let x = max(min(s[w], upper), lower)
            let q = x * (kd - 1) / kd + 1 / kd
            accuracies[w] = q
            skills[w] = log(q * (kd - 1) / (1 - q))
            if !skills[w].isFinite { skills[w] = 0 }
        }
        let (p, labels, zero) = VoteKernels.shares(answers, weights: skills)
        return MMSRModel(labels: labels, probabilities: p, workerSkills: skills, accuracies: accuracies, iterationsRun: loss.count,
                         lossHistory: loss, trimming: f, observedPairs: graph.neighbor.count / 2, workersWithoutCoworkers: withoutCoworkers,
                         workersWithoutSign: withoutSign, signEigenvalue: signs.eigenvalue, signResidual: signs.residual,
                         signsFromMajorityVote: signsFromMajorityVote, tasksWithZeroWeight: zero, sampledTasks: graph.sampledTasks)
    }

    /// `‖u vᵀ − u' v'ᵀ‖_F` over the full workers × workers matrix, as crowd-kit measures it.
    ///
    /// With `du = u − u'`, `dv = v − v'` it is `‖du‖²‖v‖² + 2(du·u')(v·dv) + ‖u'‖²‖dv‖²`, which has
    /// no cancellation against the (large) norms of `u vᵀ`; when its three terms cancel each other
    /// (a near-rescaling of `u` against `v`), or for up to 4,096 workers, the sum runs densely.
    func frobeniusChange(u: RawBuffer<Double>, v: RawBuffer<Double>, pu: RawBuffer<Double>, pv: RawBuffer<Double>, threads: Int) -> Double {
        let n = u.count
        var du2 = 0.0, v2 = 0.0, duu = 0.0, vdv = 0.0, pu2 = 0.0, dv2 = 0.0
        for i in 0..<n {
            let du = u[i] - pu[i], dv = v[i] - pv[i]
            du2 += du * du; v2 += v[i] * v[i]; duu += du * pu[i]; vdv += v[i] * dv; pu2 += pu[i] * pu[i]; dv2 += dv * dv
        }
        let a = du2 * v2, b = 2 * duu * vdv, c = pu2 * dv2
        let total = a + b + c
        if n > 4096 && total > 1e3 * Double.ulpOfOne * (abs(a) + abs(b) + abs(c)) { return max(total, 0).squareRoot() }
        let rows = balancedRows(n, count: threads)
        let partial = RawBuffer<Double>(rows.count, 0)
        parallelFor(rows.count) { part in
            var sum = 0.0
            for i in rows[part] {
                let ui = u[i], pi = pu[i]
                var row = 0.0
                for j in 0..<n {
                    let d = ui * v[j] - pi * pv[j]
                    row += d * d
                }
                sum += row
            }
            partial[part] = sum
        }
        var sum = 0.0
        for part in 0..<rows.count { sum += partial[part] }
        return sum.squareRoot()
    }
}

/// A fitted M-MSR model.
public struct MMSRModel: FittedModel {
    /// Per task id, the label id with the largest weighted vote (ties to the first label).
    public let labels: [Int32]
    /// Per task, each label's share of the skill-weighted votes (crowd-kit's `scores_`).
    public let probabilities: ProbabilityMatrix
    /// Per worker: `ln(q(K−1)/(1−q))`, the vote weight (negative below chance).
    public let workerSkills: [Double]
    /// The ``workerSkills``.
    public var skills: [Double]? { workerSkills }
    /// Per worker: the estimated accuracy `q` behind the skill (1/K for skill 0).
    public let accuracies: [Double]
    /// Alternating rounds run (crowd-kit's `len(loss_history_)`).
    public let iterationsRun: Int
    /// The Frobenius change of `u vᵀ` after each round.
    public let lossHistory: [Double]
    /// `F`, the ratios trimmed at each end (−1: crowd-kit's "largest ratio only").
    public let trimming: Int
    /// Unordered worker pairs with a task in common.
    public let observedPairs: Int
    /// Workers who share no task with anyone (skill 0).
    public let workersWithoutCoworkers: Int
    /// Workers the sign graph could not sign (skill 0).
    public let workersWithoutSign: Int
    /// The smallest eigenvalue of the sign graph's random-walk matrix (near −1 when two-colourable).
    public let signEigenvalue: Double
    /// `‖M x − λ x‖` of the eigenvector used (0 when solved densely).
    public let signResidual: Double
    /// The sign graph's eigenvector did not settle within the solver's budget, so each worker's
    /// sign came from its agreement with majority vote (above or below chance).
    public let signsFromMajorityVote: Bool
    /// Tasks whose weighted votes summed to zero, scored by plain vote shares.
    public let tasksWithZeroWeight: Int
    /// Tasks with more answers than ``MMSR/maxCoworkersPerTask`` + 1, whose worker pairs were sampled.
    public let sampledTasks: Int
}
