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

    /// An M-MSR aggregator; the defaults are crowd-kit 1.4.2's (`n_iter` 10 000, `tol` 1e-10,
    /// `random_state` 0).
    public init(iterations: Int = 10000, tolerance: Double = 1e-10, seed: UInt64 = 0, signGraph: SignGraph = .crowdKit,
                execution: ExecutionSettings = ExecutionSettings()) {
        self.execution = execution
        self.iterations = iterations
        self.tolerance = tolerance
        self.seed = seed
        self.signGraph = signGraph
    }

    /// Fits skills by the robust rank-one fit and returns the skill-weighted vote.
    ///
    /// - Throws: ``AggregationError`` when `iterations` is negative, `tolerance` is not finite,
    ///   or `seed` is 2³² or more (numpy's `RandomState` takes 32-bit seeds).
    public func fit(_ answers: AnswerTable) throws -> MMSRModel {
        guard iterations >= 0 else { throw AggregationError("the number of iterations must be ≥ 0") }
        guard tolerance.isFinite else { throw AggregationError("the tolerance must be a finite number") }
        guard seed <= UInt64(UInt32.max) else { throw AggregationError("the seed must be below 2^32 (numpy's RandomState seeds)") }
        let nWorkers = answers.workerCount
        let k = answers.labelCount
        if k < 2 {
            let model = MajorityVote.vote(answers, weights: nil, workersWithoutSkill: 0)
            return MMSRModel(labels: model.labels, probabilities: model.probabilities, workerSkills: [Double](repeating: 0, count: nWorkers),
                             accuracies: [Double](repeating: 1, count: nWorkers), iterationsRun: 0, lossHistory: [], trimming: 0,
                             observedPairs: 0, workersWithoutCoworkers: 0, workersWithoutSign: nWorkers, signEigenvalue: .nan,
                             signResidual: 0, signsFromMajorityVote: false, tasksWithZeroWeight: model.tasksWithZeroWeight)
        }
        let threads = answers.answerCount < 1 << 16 ? 1 : max(1, execution.threads)
        let graph = PairGraph(answers, threads: threads)
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
                         signsFromMajorityVote: signsFromMajorityVote, tasksWithZeroWeight: zero)
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
}

// MARK: - Worker pairs

/// A heap buffer the parallel kernels share; each thread writes only its own indices.
final class RawBuffer<T>: @unchecked Sendable {
    let p: UnsafeMutableBufferPointer<T>
    init(_ count: Int, _ value: T) {
        p = .allocate(capacity: count)
        p.initialize(repeating: value)
    }
    deinit { p.deallocate() }
    var count: Int { p.count }
    subscript(i: Int) -> T {
        get { p[i] }
        set { p[i] = newValue }
    }
}

/// The observed worker pairs: for every worker, its co-workers (ascending) and `C` with each.
struct PairGraph: @unchecked Sendable {
    let workerCount: Int
    let offsets: [Int]
    let neighbor: RawBuffer<Int32>
    let value: RawBuffer<Double>

    init(_ table: AnswerTable, threads: Int) {
        let k = table.labelCount
        let k32 = Int32(k)
        let nWorkers = table.workerCount
        workerCount = nWorkers
        let (taskOffsets, taskEntries, workerOffsets, workerEntries) = Self.lastAnswers(table)
        let scale = Double(k) / Double(k - 1), shift = 1 / Double(k - 1)
        // Work per worker ≈ the answers on its tasks; balance parts on answers.
        let parts = balancedParts(workerOffsets, count: threads * 8)
        final class Out: @unchecked Sendable {
            var neighbor: [Int32] = [], value: [Double] = [], degree: [Int] = []
        }
        let outs = parts.map { _ in Out() }
        parallelFor(parts.count) { part in
            let out = outs[part]
            var common = [Int32](repeating: 0, count: nWorkers)
            var agree = [Int32](repeating: 0, count: nWorkers)
            var touched: [Int32] = []
            for i in parts[part] {
                touched.removeAll(keepingCapacity: true)
                for a in workerOffsets[i]..<workerOffsets[i + 1] {
                    let t = Int(workerEntries[a] / k32), li = workerEntries[a] % k32
                    for b in taskOffsets[t]..<taskOffsets[t + 1] {
                        let e = taskEntries[b]
                        let j = Int(e / k32)
                        if j == i { continue }
                        if common[j] == 0 { touched.append(Int32(j)) }
                        common[j] += 1
                        if e % k32 == li { agree[j] += 1 }
                    }
                }
                touched.sort()
                for j in touched {
                    let jj = Int(j)
                    out.neighbor.append(j)
                    out.value.append(Double(agree[jj]) / Double(common[jj]) * scale - shift)
                    common[jj] = 0
                    agree[jj] = 0
                }
                out.degree.append(touched.count)
            }
        }
        var offsets = [Int](repeating: 0, count: nWorkers + 1)
        var w = 0
        for out in outs {
            for d in out.degree { offsets[w + 1] = offsets[w] + d; w += 1 }
        }
        self.offsets = offsets
        neighbor = RawBuffer(offsets[nWorkers], 0)
        value = RawBuffer(offsets[nWorkers], 0)
        var at = 0
        for out in outs {
            for i in out.neighbor.indices { neighbor[at + i] = out.neighbor[i]; value[at + i] = out.value[i] }
            at += out.neighbor.count
            out.neighbor = []; out.value = []
        }
    }

    /// Task and worker views with one answer per (task, worker): the last one in input order.
    static func lastAnswers(_ table: AnswerTable) -> ([Int], [Int32], [Int], [Int32]) {
        if table.duplicates.pairs == 0 {
            return (table.byTask.offsets, table.byTask.entries, table.byWorker.offsets, table.byWorker.entries)
        }
        let k32 = Int32(table.labelCount)
        let view = table.byTask
        var stamp = [Int32](repeating: -1, count: table.workerCount)
        var offsets = [Int](repeating: 0, count: view.rowCount + 1)
        var entries: [Int32] = []
        entries.reserveCapacity(view.entries.count)
        var row: [Int32] = []
        for t in 0..<view.rowCount {
            row.removeAll(keepingCapacity: true)
            for i in view.range(of: t).reversed() {
                let w = Int(view.entries[i] / k32)
                if stamp[w] == Int32(t) { continue }
                stamp[w] = Int32(t)
                row.append(view.entries[i])
            }
            entries.append(contentsOf: row.reversed())
            offsets[t + 1] = entries.count
        }
        // Worker view by counting sort.
        var wOffsets = [Int](repeating: 0, count: table.workerCount + 1)
        for e in entries { wOffsets[Int(e / k32) + 1] += 1 }
        for w in 0..<table.workerCount { wOffsets[w + 1] += wOffsets[w] }
        var cursor = wOffsets
        var wEntries = [Int32](repeating: 0, count: entries.count)
        for t in 0..<view.rowCount {
            for i in offsets[t]..<offsets[t + 1] {
                let w = Int(entries[i] / k32)
                wEntries[cursor[w]] = Int32(t) * k32 + entries[i] % k32
                cursor[w] += 1
            }
        }
        return (offsets, entries, wOffsets, wEntries)
    }

    /// crowd-kit's trimmed mean of `|C_rj| / divisor_j` over row `r`'s co-workers: drop the `F`
    /// smallest ratios, or all below `current` if fewer than `F` are; likewise at the top; keep
    /// `current` if nothing is left; a single 0 left becomes `floorValue`; `F < 0` keeps only the
    /// largest ratio. Ratios over a zero divisor are left out.
    func trimmedMean(row r: Int, divisor: RawBuffer<Double>, f: Int, current a: Double, floorValue: Double, scratch: RawBuffer<Double>) -> Double {
        let x = scratch.p.baseAddress!
        var n = 0
        for e in offsets[r]..<offsets[r + 1] {
            let d = divisor[Int(neighbor[e])]
            if d == 0 { continue }
            x[n] = abs(value[e]) / d
            n += 1
        }
        if n == 0 { return a }
        if f < 0 {
            var m = x[0]
            for i in 1..<n where x[i] > m { m = x[i] }
            return m == 0 ? floorValue : m
        }
        var below = 0, above = 0
        for i in 0..<n {
            if x[i] < a { below += 1 } else if x[i] > a { above += 1 }
        }
        let lo = min(below, f), hi = min(above, f)
        let kept = n - lo - hi
        if kept <= 0 { return a }
        if lo > 0 { select(x, 0, n, lo) }
        if hi > 0 { select(x, lo, n, n - hi) }
        if kept == 1 && x[lo] == 0 { return floorValue }
        var sum = 0.0
        for i in lo..<(n - hi) { sum += x[i] }
        return sum / Double(kept)
    }
}

/// Rearranges `x[lo..<hi]` so that `x[k]` holds its sorted value, with no larger value before it
/// and no smaller one after (quickselect, median-of-three pivots).
func select(_ x: UnsafeMutablePointer<Double>, _ lo: Int, _ hi: Int, _ k: Int) {
    var lo = lo, hi = hi - 1
    while hi > lo {
        let mid = lo + (hi - lo) / 2
        if x[mid] < x[lo] { swap(&x[mid], &x[lo]) }
        if x[hi] < x[lo] { swap(&x[hi], &x[lo]) }
        if x[hi] < x[mid] { swap(&x[hi], &x[mid]) }
        let pivot = x[mid]
        var i = lo, j = hi
        while i <= j {
            while x[i] < pivot { i += 1 }
            while x[j] > pivot { j -= 1 }
            if i <= j {
                if i != j { swap(&x[i], &x[j]) }
                i += 1; j -= 1
            }
        }
        if k <= j { hi = j } else if k >= i { lo = i } else { return }
    }
}

// MARK: - Signs

/// The sign-determination graph of crowd-kit's `_sign_determination_valid`, kept implicit.
///
/// Nodes: the `n` valid workers (`C` row sum ≠ 0) and one node per positive pair `i < j`. Edges:
/// negative pairs directly (crowd-kit mode: every valid pair — self included — except observed
/// pairs with `C ≥ 0`), each positive pair as `i — e — j`. The eigenvector of the smallest
/// eigenvalue of `D⁻¹A` is `D^{-1/2}` times that of `M = D^{-1/2} A D^{-1/2}`; only signs matter.
struct SignSolver: @unchecked Sendable {
    let graph: PairGraph
    let crowdKit: Bool
    let seed: UInt64
    /// Per worker: node index, or −1 when not valid.
    let compact: [Int32]
    let valid: [Int32]
    /// Per pair-graph entry: the edge node of a positive valid pair, else −1.
    let edgeOf: RawBuffer<Int32>
    let edges: Int
    let dis: RawBuffer<Double>
    let parts: [Range<Int>]

    init(graph: PairGraph, mode: MMSR.SignGraph, labelCount k: Int, seed: UInt64, threads: Int) {
        self.graph = graph
        crowdKit = mode == .crowdKit
        self.seed = seed
        let nW = graph.workerCount
        let off = graph.offsets
        var compact = [Int32](repeating: -1, count: nW)
        var valid: [Int32] = []
        let unobserved = -1 / Double(k - 1)
        for w in 0..<nW {
            var sum = 0.0
            for e in off[w]..<off[w + 1] { sum += graph.value[e] }
            if crowdKit { sum += Double(nW - (off[w + 1] - off[w])) * unobserved }
            if sum != 0 { compact[w] = Int32(valid.count); valid.append(Int32(w)) }
        }
        self.compact = compact
        self.valid = valid
        // Edge nodes for positive pairs i < j, numbered in row order; mirrors found with a cursor.
        let edgeOf = RawBuffer<Int32>(off[nW], -1)
        var cursor = Array(off.dropLast())
        var m = 0
        for i in 0..<nW {
            for e in off[i]..<off[i + 1] {
                let j = Int(graph.neighbor[e])
                guard j > i else { continue }
                let mirror = cursor[j]
                cursor[j] += 1
                if graph.value[e] > 0 && compact[i] >= 0 && compact[j] >= 0 {
                    edgeOf[e] = Int32(m)
                    edgeOf[mirror] = Int32(m)
                    m += 1
                }
            }
        }
        self.edgeOf = edgeOf
        edges = m
        let n = valid.count
        let dis = RawBuffer<Double>(n + m, 0.5.squareRoot())
        for a in 0..<n {
            let w = Int(valid[a])
            var pos = 0, nonNegative = 0, negative = 0
            for e in off[w]..<off[w + 1] where compact[Int(graph.neighbor[e])] >= 0 {
                let c = graph.value[e]
                if c > 0 { pos += 1 }
                if c >= 0 { nonNegative += 1 } else { negative += 1 }
            }
            let degree = crowdKit ? n - nonNegative + pos : negative + pos
            dis[a] = degree > 0 ? 1 / Double(degree).squareRoot() : 0
        }
        self.dis = dis
        var rowOffsets = [0]
        for a in 0..<n { let w = Int(valid[a]); rowOffsets.append(rowOffsets[a] + off[w + 1] - off[w] + 1) }
        parts = balancedParts(rowOffsets, count: rowOffsets[n] < 1 << 18 ? 1 : threads * 4)
    }

    struct Result { let sign: [Int8]; let eigenvalue: Double; let residual: Double; var converged = true }

    func solve() -> Result {
        let n = valid.count, size = n + edges
        var sign = [Int8](repeating: 0, count: graph.workerCount)
        guard n > 0 else { return Result(sign: sign, eigenvalue: .nan, residual: 0) }
        let (x, lambda, residual, converged) = size <= MMSR.denseEigenLimit ? { let d = dense(size); return (d.0, d.1, d.2, true) }() : reducedLobpcg()
        var total = 0
        for a in 0..<n {
            let s: Int8 = x[a] > 0 ? 1 : (x[a] < 0 ? -1 : 0)
            sign[Int(valid[a])] = s
            total += Int(s)
        }
        if total < 0 { for w in sign.indices { sign[w] = -sign[w] } }
        return Result(sign: sign, eigenvalue: lambda, residual: residual, converged: converged)
    }

    /// `y = M x`.
    func apply(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ s: UnsafeMutablePointer<Double>, size: Int) {
        let n = valid.count
        for i in 0..<size { s[i] = x[i] * dis[i] }
        var sum = 0.0
        if crowdKit { for a in 0..<n { sum += s[a] } }
        let total = sum
        let sh = RawPointers(x: x, y: y, s: s)
        let off = graph.offsets
        parallelFor(parts.count) { part in
            let s = sh.s, y = sh.y
            for a in parts[part] {
                let w = Int(valid[a])
                var acc = crowdKit ? total : 0
                for e in off[w]..<off[w + 1] {
                    let j = Int(graph.neighbor[e])
                    let b = Int(compact[j])
                    if b < 0 { continue }
                    let c = graph.value[e]
                    if c > 0 {
                        let edge = n + Int(edgeOf[e])
                        acc += s[edge]
                        if crowdKit { acc -= s[b] }
                        if j > w { y[edge] = (s[a] + s[b]) * dis[edge] }
                    } else if c == 0 {
                        if crowdKit { acc -= s[b] }
                    } else if !crowdKit {
                        acc += s[b]
                    }
                }
                y[a] = acc * dis[a]
            }
        }
    }

    struct RawPointers: @unchecked Sendable {
        let x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>
    }

    /// The whole of `M` as a dense matrix, smallest eigenpair by LAPACKE `dsyevr`.
    func dense(_ size: Int) -> ([Double], Double, Double) {
        var m = [Double](repeating: 0, count: size * size)
        let x = RawBuffer<Double>(size, 0), y = RawBuffer<Double>(size, 0), s = RawBuffer<Double>(size, 0)
        for c in 0..<size {
            x[c] = 1
            apply(x.p.baseAddress!, y.p.baseAddress!, s.p.baseAddress!, size: size)
            x[c] = 0
            for r in 0..<size { m[r * size + c] = y[r] }
        }
        guard let r = BLAS.smallestEigenpairs(m, n: size) else { return ([Double](repeating: 0, count: size), .nan, .nan) }
        return (r.vectors[0], r.values[0], 0)
    }

    /// `ax = Mn x` (the worker–worker block of `M`) and `kx = K x` with `K = Bnᵀ Bn` (the part the
    /// edge nodes contribute, `K_ab = d_a^{-1/2} d_b^{-1/2} / 2` on positive pairs, `pos_a / (2 d_a)`
    /// on the diagonal), in one pass over the pairs.
    func applyReduced(_ x: UnsafeMutablePointer<Double>, _ ax: UnsafeMutablePointer<Double>, _ kx: UnsafeMutablePointer<Double>, _ s: UnsafeMutablePointer<Double>) {
        let n = valid.count
        for a in 0..<n { s[a] = x[a] * dis[a] }
        var sum = 0.0
        if crowdKit { for a in 0..<n { sum += s[a] } }
        let total = sum
        let sh = RawPointers(x: ax, y: kx, s: s)
        let off = graph.offsets
        parallelFor(parts.count) { part in
            let s = sh.s
            for a in parts[part] {
                let w = Int(valid[a])
                var neg = crowdKit ? total : 0, pos = 0.0, positive = 0
                for e in off[w]..<off[w + 1] {
                    let b = Int(compact[Int(graph.neighbor[e])])
                    if b < 0 { continue }
                    let c = graph.value[e]
                    if c > 0 {
                        pos += s[b]; positive += 1
                        if crowdKit { neg -= s[b] }
                    } else if c == 0 {
                        if crowdKit { neg -= s[b] }
                    } else if !crowdKit {
                        neg += s[b]
                    }
                }
                sh.x[a] = neg * dis[a]
                sh.y[a] = 0.5 * dis[a] * (Double(positive) * s[a] + pos)
            }
        }
    }

    /// Smallest eigenpair of `M` without the edge nodes: with `M = [[Mn, Bnᵀ], [Bn, 0]]` an
    /// eigenvector `(x, Bn x / λ)` has `λ² x − λ Mn x − K x = 0`, and for any `x` the negative root
    /// `p(x)` of `λ²‖x‖² − λ xᵀMn x − xᵀK x = 0` is the Rayleigh quotient of `M` at
    /// `(x, Bn x / p(x))`, so `min p = λ_min(M)`. LOBPCG on `p` over worker-sized vectors: residual
    /// `Mn x + K x / λ − λ x`, Rayleigh–Ritz on `[x, r, p]` (and its image under `Bn`) by LAPACKE.
    func reducedLobpcg() -> ([Double], Double, Double, Bool) {
        let size = valid.count
        let n = Int32(size)
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        let bufs = (0..<9).map { _ in RawBuffer<Double>(size, 0) }
        let V = bufs[0..<3].map { $0.p.baseAddress! }, AV = bufs[3..<6].map { $0.p.baseAddress! }, KV = bufs[6..<9].map { $0.p.baseAddress! }
        let scratch = RawBuffer<Double>(size, 0), t = (0..<3).map { _ in RawBuffer<Double>(size, 0) }, best = RawBuffer<Double>(size, 0)
        let s = scratch.p.baseAddress!
        for i in 0..<size { V[0][i] = rng.nextUniform() - 0.5 }
        cblas_dscal(n, 1 / cblas_dnrm2(n, V[0], 1), V[0], 1)
        applyReduced(V[0], AV[0], KV[0], s)
        var hasP = false, lambda = Double.nan, residual = Double.infinity, step = 0, stable = 0
        var lastSign = [Double](repeating: 0, count: size)
        // A work budget of about 2·10⁹ pair visits (a few seconds): the real data sets settle in
        // under 100 steps; a graph that has not settled by then gets the fallback signs.
        let tol = 1e-10
        let maxSteps = max(50, min(20000, 2_000_000_000 / max(1, graph.neighbor.count)))
        var converged = false
        while step < maxSteps {
            let b = cblas_ddot(n, V[0], 1, AV[0], 1), c = cblas_ddot(n, V[0], 1, KV[0], 1)
            let next = (b - (b * b + 4 * c).squareRoot()) / 2
            if !next.isFinite || next == 0 {
                // Breakdown (e.g. an exactly degenerate −1 of a balanced graph): keep the last good x.
                cblas_dcopy(n, best.p.baseAddress!, 1, V[0], 1)
                break
            }
            lambda = next
            cblas_dcopy(n, V[0], 1, best.p.baseAddress!, 1)
            // r = Mn x + K x / λ − λ x, against ‖(x, Bn x / λ)‖.
            cblas_dcopy(n, AV[0], 1, V[1], 1)
            cblas_daxpy(n, 1 / lambda, KV[0], 1, V[1], 1)
            cblas_daxpy(n, -lambda, V[0], 1, V[1], 1)
            let r = cblas_dnrm2(n, V[1], 1) / (1 + c / (lambda * lambda)).squareRoot()
            if !r.isFinite { break }
            residual = r
            if residual < tol { converged = true; break }
            step += 1
            var keep = [true, true, hasP]
            // Orthonormalise [x, r, p] (twice); images follow by linearity.
            for j in 1..<3 where keep[j] {
                let before = cblas_dnrm2(n, V[j], 1)
                for _ in 0..<2 {
                    for i in 0..<j where keep[i] {
                        let d = cblas_ddot(n, V[i], 1, V[j], 1)
                        cblas_daxpy(n, -d, V[i], 1, V[j], 1)
                        if j == 2 {
                            cblas_daxpy(n, -d, AV[i], 1, AV[j], 1)
                            cblas_daxpy(n, -d, KV[i], 1, KV[j], 1)
                        }
                    }
                }
                let norm = cblas_dnrm2(n, V[j], 1)
                if norm == 0 || norm <= 1e-12 * before { keep[j] = false; continue }
                cblas_dscal(n, 1 / norm, V[j], 1)
                if j == 2 {
                    cblas_dscal(n, 1 / norm, AV[j], 1)
                    cblas_dscal(n, 1 / norm, KV[j], 1)
                }
            }
            if keep[1] { applyReduced(V[1], AV[1], KV[1], s) }
            let idx = (0..<3).filter { keep[$0] }
            let m = idx.count
            if m == 1 { break }
            // Projections A1 = Vᵀ Mn V, G = Vᵀ K V.
            var a1 = [Double](repeating: 0, count: m * m), g = [Double](repeating: 0, count: m * m)
            for (p, i) in idx.enumerated() {
                for (q, j) in idx.enumerated() where q >= p {
                    let av = 0.5 * (cblas_ddot(n, V[i], 1, AV[j], 1) + cblas_ddot(n, V[j], 1, AV[i], 1))
                    let kv = 0.5 * (cblas_ddot(n, V[i], 1, KV[j], 1) + cblas_ddot(n, V[j], 1, KV[i], 1))
                    a1[p * m + q] = av; a1[q * m + p] = av
                    g[p * m + q] = kv; g[q * m + p] = kv
                }
            }
            // Orthonormal basis of Bn V: G = Q Λ Qᵀ, keep Λ > 0; the projected M is
            // [[A1, Q₊ Λ₊^{1/2}], [Λ₊^{1/2} Q₊ᵀ, 0]].
            guard let ge = BLAS.smallestEigenpairs(g, n: m, count: m) else { break }
            let largest = ge.values.map(abs).max() ?? 0
            let kept = (0..<m).filter { ge.values[$0] > 1e-13 * max(largest, 1e-300) }
            let dim = m + kept.count
            var h = [Double](repeating: 0, count: dim * dim)
            for p in 0..<m { for q in 0..<m { h[p * dim + q] = a1[p * m + q] } }
            for (col, e) in kept.enumerated() {
                let root = ge.values[e].squareRoot()
                for p in 0..<m {
                    let value = ge.vectors[e][p] * root
                    h[p * dim + m + col] = value; h[(m + col) * dim + p] = value
                }
            }
            guard let ritz = BLAS.smallestEigenpairs(h, n: dim) else { break }
            let coef = Array(ritz.vectors[0].prefix(m))
            // p = Σ_{i>0} c_i V_i; x = c_0 x + p (images alike).
            for (buffer, source) in [(t[0], V), (t[1], AV), (t[2], KV)] {
                let out = buffer.p.baseAddress!
                for i in 0..<size { out[i] = 0 }
                for (q, i) in idx.enumerated() where q > 0 { cblas_daxpy(n, coef[q], source[i], 1, out, 1) }
                cblas_dscal(n, coef[0], source[0], 1)
                cblas_daxpy(n, 1, out, 1, source[0], 1)
                cblas_dcopy(n, out, 1, source[2], 1)
            }
            hasP = true
            // Only the signs are used: stop once none has changed for `stableSteps` steps.
            var flips = 0
            for i in 0..<size where (V[0][i] < 0) != (lastSign[i] < 0) { flips += 1; lastSign[i] = V[0][i] }
            stable = flips == 0 ? stable + 1 : 0
            if stable >= MMSR.stableSignSteps { converged = true; break }
            let norm = cblas_dnrm2(n, V[0], 1)
            for v in [V[0], AV[0], KV[0]] { cblas_dscal(n, 1 / norm, v, 1) }
            if step % 64 == 0 { applyReduced(V[0], AV[0], KV[0], s) }
        }
        let x = Array(UnsafeBufferPointer(start: V[0], count: size))
        withExtendedLifetime((bufs, t, scratch, best)) {}
        return (x, lambda, residual, converged)
    }
}
