import Foundation
import TallyCore

/// Minimax conditional entropy, the categorical model: each answer of worker j on task i follows
/// `P(answer = c | truth = r) ∝ exp(α_j[r, c] + τ_i[r, c])`, a worker confusion term plus a task
/// term, with Gaussian (ℓ²) regularisation of both.
///
/// Zhou, Platt, Basu & Mao (2012), *Learning from the Wisdom of Crowds by Minimax Entropy*, NeurIPS;
/// Zhou, Liu, Platt & Meek (2014), *Aggregating Ordinal Labels from Crowds by Minimax Conditional
/// Entropy*, ICML (the categorical variant). The fit is that of Qiang Liu's reference code as the
/// VLDB 2017 truth-inference benchmark runs it (Zheng et al.; `methods/l_minimax` in
/// zhydhkcws/crowd_truth_infer): start from majority-vote shares; each iteration fits every
/// worker's α_j, then every task's τ_i, each by L-BFGS (``MinFuncLBFGS``, minFunc's algorithm, at
/// most `mStepIterations` steps, tolerances `mStepTolerance`) from its previous value, then sets
/// `q(z_i = r) ∝ exp(Σ_answers α_j[r, a] + τ_i[r, a] − log Σ_c exp(α_j[r, c] + τ_i[r, c]))`
/// (uniform class prior); stop when no probability moved by `tolerance` or more, or after
/// `maxIterations`. The benchmark's regularisation is the default: `λ_worker = K²/4` and
/// `λ_task = λ_worker · mean answers per worker / mean answers per task`.
///
/// As in the reference, a worker's repeated answer to the same task counts once, the last one in
/// the input; sums run over tasks and workers in the byte order of their names (the reference's
/// `unique`), so the fit does not depend on the input's row order beyond that. Ties of the final
/// label go to the first label (the reference breaks them at random).
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try MinimaxEntropy().fit(answers)
/// let names = model.labels.map { answers.labels[Int($0)] }
/// let p = model.confusions[0, 1, 0]      // worker 0's P(says label 1 | truth 0) on a neutral task
/// print(model.iterations, model.converged)
/// ```
public struct MinimaxEntropy: Aggregator {
    /// λ of the worker terms is this times `K²` (the benchmark: 0.25).
    public var workerRegularization: Double
    /// λ of the task terms is this times the worker λ times (mean answers per worker / mean answers
    /// per task) (the benchmark: 1).
    public var taskRegularization: Double
    /// At most this many EM iterations (the benchmark: 50).
    public var maxIterations: Int
    /// Stop when no posterior moved by this much or more (the benchmark: 5e-3).
    public var tolerance: Double
    /// L-BFGS iterations per worker and per task in each M-step (the reference: 25).
    public var mStepIterations: Int
    /// The L-BFGS optimality and progress tolerances (the reference: 1e-3).
    public var mStepTolerance: Double
    /// Threads: workers' and tasks' problems are independent and split over threads; the result
    /// does not depend on the thread count.
    public var execution: ExecutionSettings

    /// Minimax entropy with the VLDB 2017 benchmark's settings.
    public init(workerRegularization: Double = 0.25, taskRegularization: Double = 1,
                maxIterations: Int = 50, tolerance: Double = 5e-3,
                mStepIterations: Int = 25, mStepTolerance: Double = 1e-3,
                execution: ExecutionSettings = ExecutionSettings()) {
        self.workerRegularization = workerRegularization
        self.taskRegularization = taskRegularization
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.mStepIterations = mStepIterations
        self.mStepTolerance = mStepTolerance
        self.execution = execution
    }

    /// Fits the model to `answers`.
    ///
    /// - Throws: ``AggregationError`` for a negative or non-finite setting, or a table without answers.
    public func fit(_ answers: AnswerTable) throws -> MinimaxEntropyModel {
        try AggregationError.checkIterations(maxIterations, tolerance: tolerance)
        try AggregationError.checkIterations(mStepIterations, tolerance: mStepTolerance)
        for (name, v) in [("tolerance", tolerance), ("m-step-tolerance", mStepTolerance),
                          ("worker-regularization", workerRegularization), ("task-regularization", taskRegularization)] {
            guard v.isFinite && v >= 0 else { throw AggregationError("minimax: \(name) must be a number ≥ 0, got \(v)") }
        }
        try AggregationError.checkNotEmpty(answers, method: "minimax")
        let graph = MinimaxGraph(answers)
        let k = answers.labelCount, kk = k * k
        let lambdaWorker = workerRegularization * Double(k * k)
        let meanPerWorker = Double(graph.answerCount) / Double(graph.workerCount)
        let meanPerTask = Double(graph.answerCount) / Double(graph.taskCount)
        let lambdaTask = taskRegularization * (lambdaWorker * (meanPerWorker / meanPerTask))

        var mu = graph.majorityShares(k: k)
        var alpha = [Double](repeating: 0, count: graph.workerCount * kk)
        var tau = [Double](repeating: 0, count: graph.taskCount * kk)
        let solver = MinFuncLBFGS(maxIterations: mStepIterations, optimalityTolerance: mStepTolerance,
                                  progressTolerance: mStepTolerance)
        let threads = graph.answerCount >= 2_000 ? max(1, execution.threads) : 1
        var iterations = 0, converged = false, change = Double.infinity
        while iterations < maxIterations {
            iterations += 1
            // M-step: each worker's α from the tasks' τ, then each task's τ from the new α.
            graph.solve(rows: graph.byWorker, own: &alpha, other: tau, mu: mu, k: k, lambda: lambdaWorker,
                        workerSide: true, solver: solver, threads: threads)
            graph.solve(rows: graph.byTask, own: &tau, other: alpha, mu: mu, k: k, lambda: lambdaTask,
                        workerSide: false, solver: solver, threads: threads)
            let next = graph.posteriors(alpha: alpha, tau: tau, k: k)
            change = 0
            for i in mu.indices { change = max(change, abs(mu[i] - next[i])) }
            mu = next
            if change < tolerance { converged = true; break }
        }

        // Back to the table's ids.
        var probabilities = [Double](repeating: 0, count: answers.taskCount * k)
        var taskParameters = [Double](repeating: 0, count: answers.taskCount * kk)
        for t in 0..<answers.taskCount {
            let i = graph.taskPosition[t]
            for r in 0..<k { probabilities[t * k + r] = mu[i * k + r] }
            for e in 0..<kk { taskParameters[t * kk + e] = tau[i * kk + e] }
        }
        var workerParameters = [Double](repeating: 0, count: answers.workerCount * kk)
        var confusion = [Double](repeating: 0, count: answers.workerCount * kk)
        for w in 0..<answers.workerCount {
            let j = graph.workerPosition[w]
            for e in 0..<kk { workerParameters[w * kk + e] = alpha[j * kk + e] }
            for r in 0..<k {   // softmax of α's row r: P(answer c | truth r) on a task with τ = 0
                var largest = -Double.infinity
                for c in 0..<k { largest = max(largest, alpha[j * kk + r + c * k]) }
                var sum = 0.0
                for c in 0..<k { sum += exp(alpha[j * kk + r + c * k] - largest) }
                for c in 0..<k { confusion[(w * k + c) * k + r] = exp(alpha[j * kk + r + c * k] - largest) / sum }
            }
        }
        let matrix = ProbabilityMatrix(rows: answers.taskCount, columns: k, values: probabilities)
        return MinimaxEntropyModel(
            labels: matrix.argmaxFirst(), probabilities: matrix,
            confusions: ConfusionMatrices(workerCount: answers.workerCount, labelCount: k, values: confusion,
                                          observed: [Bool](repeating: true, count: answers.workerCount * k)),
            workerParameters: workerParameters, taskParameters: taskParameters,
            workerRegularization: lambdaWorker, taskRegularization: lambdaTask,
            iterations: iterations, converged: converged, lastChange: change)
    }
}

/// A fitted minimax conditional entropy model.
public struct MinimaxEntropyModel: FittedModel {
    /// Per task id, the label id of highest posterior (ties to the first label).
    public let labels: [Int32]
    /// Per task, `q(z = label)`.
    public let probabilities: ProbabilityMatrix
    /// None: workers are described by ``confusions`` and ``workerParameters``.
    public var skills: [Double]? { nil }
    /// Each worker's confusion on a task whose own term is zero, `softmax_c α_w[truth, c]`,
    /// as `confusions[w, answer, truth]`.
    public let confusions: ConfusionMatrices
    /// α per worker id, `K × K` column-major: `workerParameters[w·K² + truth + answer·K]`.
    public let workerParameters: [Double]
    /// τ per task id, laid out as ``workerParameters``.
    public let taskParameters: [Double]
    /// The λ of the worker terms used.
    public let workerRegularization: Double
    /// The λ of the task terms used.
    public let taskRegularization: Double
    /// EM iterations run.
    public let iterations: Int
    /// Whether the posteriors settled before `maxIterations`.
    public let converged: Bool
    /// The largest change of a posterior in the last iteration.
    public let lastChange: Double
}

/// The answers as the reference holds them: one answer per (task, worker), the last one given,
/// tasks and workers numbered in the byte order of their names, each side's neighbours sorted
/// by the other side's number.
struct MinimaxGraph: Sendable {
    /// Rows of (neighbour, label) pairs: `offsets[r]..<offsets[r + 1]` in `neighbour` and `label`.
    struct Rows: Sendable {
        var offsets: [Int], neighbour: [Int32], label: [Int32]
        var count: Int { offsets.count - 1 }
    }
    let taskCount: Int, workerCount: Int, answerCount: Int
    /// The sorted position of each task id, and of each worker id.
    let taskPosition: [Int], workerPosition: [Int]
    let byTask: Rows, byWorker: Rows

    init(_ answers: AnswerTable) {
        func positions(_ names: Interner) -> [Int] {
            let order = (0..<names.count).sorted { names.name(Int32($0)).utf8.lexicographicallyPrecedes(names.name(Int32($1)).utf8) }
            var position = [Int](repeating: 0, count: names.count)
            for (p, id) in order.enumerated() { position[id] = p }
            return position
        }
        taskPosition = positions(answers.tasks)
        workerPosition = positions(answers.workers)
        taskCount = answers.taskCount
        workerCount = answers.workerCount
        // The last answer of each (task, worker) pair wins.
        var order = Array(0..<answers.answerCount)
        let tp = taskPosition, wp = workerPosition
        order.sort { a, b in
            let ta = tp[Int(answers.task[a])], tb = tp[Int(answers.task[b])]
            if ta != tb { return ta < tb }
            let wa = wp[Int(answers.worker[a])], wb = wp[Int(answers.worker[b])]
            if wa != wb { return wa < wb }
            return a < b
        }
        var kept: [(task: Int, worker: Int, label: Int32)] = []
        kept.reserveCapacity(order.count)
        for (n, a) in order.enumerated() {
            let t = tp[Int(answers.task[a])], w = wp[Int(answers.worker[a])]
            if n + 1 < order.count {
                let b = order[n + 1]
                if tp[Int(answers.task[b])] == t && wp[Int(answers.worker[b])] == w { continue }
            }
            kept.append((t, w, answers.label[a]))
        }
        answerCount = kept.count
        func rows(_ count: Int, key: (Int) -> Int, neighbour: (Int) -> Int) -> Rows {
            var offsets = [Int](repeating: 0, count: count + 1)
            for e in kept.indices { offsets[key(e) + 1] += 1 }
            for r in 0..<count { offsets[r + 1] += offsets[r] }
            var fill = offsets
            var n = [Int32](repeating: 0, count: kept.count), l = [Int32](repeating: 0, count: kept.count)
            for e in kept.indices {   // `kept` is sorted by (task, worker): each row fills in order
                let r = key(e)
                n[fill[r]] = Int32(neighbour(e)); l[fill[r]] = kept[e].label
                fill[r] += 1
            }
            return Rows(offsets: offsets, neighbour: n, label: l)
        }
        byTask = rows(taskCount, key: { kept[$0].task }, neighbour: { kept[$0].worker })
        byWorker = rows(workerCount, key: { kept[$0].worker }, neighbour: { kept[$0].task })
    }

    /// The majority-vote shares each task starts from, `[task · K + label]`.
    func majorityShares(k: Int) -> [Double] {
        var mu = [Double](repeating: 0, count: taskCount * k)
        for i in 0..<taskCount {
            let range = byTask.offsets[i]..<byTask.offsets[i + 1]
            for e in range { mu[i * k + Int(byTask.label[e])] += 1 }
            for r in 0..<k { mu[i * k + r] /= Double(range.count) }
        }
        return mu
    }

    /// One side of the M-step: for every row (a worker, or a task), minimise its objective over its
    /// own `K × K` parameters from their current value, the other side's held fixed.
    func solve(rows: Rows, own: inout [Double], other: [Double], mu: [Double], k: Int, lambda: Double,
               workerSide: Bool, solver: MinFuncLBFGS, threads: Int) {
        let kk = k * k
        let parts = balancedParts(rows.offsets, count: threads)
        own.withUnsafeMutableBufferPointer { ownBuffer in
            let out = UncheckedSendable(ownBuffer)
            parallelFor(parts.count) { part in
                var scratch = MinimaxScratch(k: k)
                for r in parts[part] {
                    var x = Array(out.value[(r * kk)..<((r + 1) * kk)])
                    let range = rows.offsets[r]..<rows.offsets[r + 1]
                    solver.minimize(&x) { x, gradient in
                        scratch.objective(x, gradient: &gradient, rows: rows, range: range, other: other, mu: mu,
                                          k: k, lambda: lambda, muOfNeighbour: workerSide, row: r)
                    }
                    for e in 0..<kk { out.value[r * kk + e] = x[e] }
                }
            }
        }
    }

    /// The E-step: every task's posterior from α and τ, with a uniform class prior.
    func posteriors(alpha: [Double], tau: [Double], k: Int) -> [Double] {
        let kk = k * k
        var mu = [Double](repeating: 0, count: taskCount * k)
        let logPrior = log(1 / Double(k))
        var logp = [Double](repeating: 0, count: k), logz = [Double](repeating: 0, count: k)
        var tmp = [Double](repeating: 0, count: kk)
        for i in 0..<taskCount {
            for r in 0..<k { logp[r] = logPrior }
            for e in byTask.offsets[i]..<byTask.offsets[i + 1] {
                let j = Int(byTask.neighbour[e]), answer = Int(byTask.label[e])
                for q in 0..<kk { tmp[q] = alpha[j * kk + q] + tau[i * kk + q] }
                MinimaxScratch.rowLogSumExp(tmp, k: k, into: &logz)
                for r in 0..<k { logp[r] = (logp[r] + tmp[r + answer * k]) - logz[r] }
            }
            var largest = -Double.infinity
            for r in 0..<k { largest = max(largest, logp[r]) }
            var sum = 0.0
            for r in 0..<k { mu[i * k + r] = exp(logp[r] - largest); sum += mu[i * k + r] }
            for r in 0..<k { mu[i * k + r] /= sum }
        }
        return mu
    }
}

/// Buffers of one thread's objective evaluations.
struct MinimaxScratch {
    var mm: [Double], expMM: [Double], sums: [Double], logz: [Double], d: [Double]

    init(k: Int) {
        mm = [Double](repeating: 0, count: k * k)
        expMM = mm
        d = mm
        sums = [Double](repeating: 0, count: k)
        logz = sums
    }

    /// `log Σ_c exp(m[r, c])` per row r, shifted by the row's maximum (`logsumexp2_stable.m`).
    static func rowLogSumExp(_ m: [Double], k: Int, into logz: inout [Double]) {
        for r in 0..<k {
            var largest = m[r]
            for c in 1..<k where m[r + c * k] > largest { largest = m[r + c * k] }
            var sum = 0.0
            for c in 0..<k { sum += exp(m[r + c * k] - largest) }
            logz[r] = log(sum) + largest
        }
    }

    /// The negated regularised log-likelihood of one worker's (or task's) answers as a function of
    /// its own parameters `x`, and its gradient (the reference's `obj_update_alpha_minimaxent_per_worker`
    /// and `obj_update_wx_per_task`, which differ only in which side is the variable).
    mutating func objective(_ x: [Double], gradient: inout [Double], rows: MinimaxGraph.Rows, range: Range<Int>,
                            other: [Double], mu: [Double], k: Int, lambda: Double,
                            muOfNeighbour: Bool, row: Int) -> Double {
        let kk = k * k
        for q in 0..<kk { d[q] = 0 }
        var total = 0.0
        for e in range {
            let n = Int(rows.neighbour[e]), answer = Int(rows.label[e])
            let task = muOfNeighbour ? n : row
            // MM = wx_i + alpha_j (the task term first, as the reference adds them).
            if muOfNeighbour {
                for q in 0..<kk { mm[q] = other[n * kk + q] + x[q] }
            } else {
                for q in 0..<kk { mm[q] = x[q] + other[n * kk + q] }
            }
            var dot = 0.0
            for r in 0..<k {
                var largest = mm[r]
                for c in 1..<k where mm[r + c * k] > largest { largest = mm[r + c * k] }
                var sum = 0.0
                for c in 0..<k { expMM[r + c * k] = exp(mm[r + c * k] - largest); sum += expMM[r + c * k] }
                sums[r] = sum
                logz[r] = log(sum) + largest
                dot += (mm[r + answer * k] - logz[r]) * mu[task * k + r]
            }
            total += dot
            for r in 0..<k { d[r + answer * k] += mu[task * k + r] }
            for c in 0..<k {
                for r in 0..<k { d[r + c * k] -= mu[task * k + r] * (expMM[r + c * k] / sums[r]) }
            }
        }
        var squares = 0.0
        for q in 0..<kk { squares += x[q] * x[q] }
        for q in 0..<kk { gradient[q] = -d[q] + lambda * x[q] }
        return -total + 0.5 * lambda * squares
    }
}
