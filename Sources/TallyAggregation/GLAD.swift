import CTallyKernels
import Foundation
import TallyCore

/// GLAD: Generative model of Labels, Abilities and Difficulties.
///
/// J. Whitehill, P. Ruvolo, T. Wu, J. Bergsma, J. Movellan, "Whose Vote Should Count More:
/// Optimal Integration of Labels from Labelers of Unknown Expertise", NIPS 2009.
///
/// A worker `w` with ability `α_w` answers task `t` with difficulty parameter `β_t` correctly with
/// probability `σ(α_w·e^{β_t})` (crowd-kit's parameterisation: `e^{β}` is the inverse difficulty)
/// and otherwise picks one of the other `K − 1` labels uniformly. Abilities and difficulties have
/// Gaussian priors `N(μ, 1)` (μ = 1 unless given per worker or task); label priors are fixed
/// (uniform unless given). EM: the E-step computes each task's posterior in log space; the M-step
/// maximises the expected log-likelihood plus the log-priors over every `α` and `β` at once with
/// nonlinear conjugate gradient (`ConjugateGradient`, SciPy's `method="CG"` step for step,
/// `mStepTolerance` on the largest gradient component, at most `mStepMaxIterations`),
/// warm-started from the previous parameters, with analytic gradients. Each objective evaluation
/// is one pass over the task-sorted answers that also accumulates both gradients.
///
/// Every sum the optimiser sees is order-free (``ExactSum``): the likelihood, each worker's
/// α-gradient, each task's β-gradient and E-step logits add their per-answer terms exactly on a
/// 2^-64 fixed-point grid, the priors and the conjugate gradient's dot products exactly relative
/// to their largest term. So the fit is a function of the multiset of answers (given the worker,
/// task and label ids): any row order, thread count or partitioning (``PartitionedGLAD``, Spark)
/// gives the same bits. A term is clamped to ±2^40 before rounding; a likelihood or gradient
/// whose total exceeds 2^63 in magnitude would wrap.
///
/// Matches crowd-kit 1.4.2's `GLAD` (same objective, same optimiser, same outputs: the
/// probabilities and labels of the last E-step, the loss history `Q / (N·K)`), with one choice:
/// - ``Stopping/relativeChange`` (default) stops when `|Q_t − Q_{t−1}| ≤ tolerance·|Q_{t−1}|`
///   (Q normalised the same way every time).
/// - ``Stopping/crowdKit`` reproduces crowd-kit's check: the first comparison is against the
///   *unnormalised* initial Q (so it never stops there), after that it stops as soon as
///   `Q_t − Q_{t−1} < tolerance`, a decrease included.
///
/// With a single label every task gets it with probability 1 and no iteration runs (crowd-kit
/// divides by `ln(K − 1) = ln 0` there and returns NaN).
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try GLAD(maxIterations: 50).fit(answers)
/// let ability = model.alphas[0]              // worker 0; negative: systematically wrong
/// let easiness = exp(model.betas[0])         // task 0; larger is easier
/// ```
///
/// - Complexity: O(N) memory beyond the table (crowd-kit expands every answer into K rows);
///   time O(N) per objective evaluation, about 1 + 1.5·(CG iterations) evaluations per EM
///   iteration; two threads share the tasks.
public struct GLAD: Aggregator {
    /// When the EM loop stops.
    public enum Stopping: String, Sendable, CaseIterable {
        /// Relative change of the objective below the tolerance.
        case relativeChange = "relative"
        /// crowd-kit 1.4.2's check, for parity.
        case crowdKit = "crowd-kit"
    }

    /// The most EM iterations (crowd-kit's `n_iter`, default 100).
    public var maxIterations: Int
    /// The stopping threshold (crowd-kit's `tol`, default 1e-5); see ``Stopping``.
    public var tolerance: Double
    /// How ``tolerance`` is applied (default ``Stopping/relativeChange``).
    public var stopping: Stopping
    /// Prior probability of each label, by label name (uniform when nil). Every label in the
    /// answers must have a positive prior.
    public var labelPriors: [String: Double]?
    /// Prior mean of `α` by worker name (1 for workers not listed).
    public var alphaPriorMeans: [String: Double]?
    /// Prior mean of `β` by task name (1 for tasks not listed).
    public var betaPriorMeans: [String: Double]?
    /// The most conjugate-gradient iterations per M-step (crowd-kit's `m_step_max_iter`, default 25).
    public var mStepMaxIterations: Int
    /// An M-step stops when the largest gradient component is at most this (crowd-kit's
    /// `m_step_tol`, default 1e-2).
    public var mStepTolerance: Double
    /// Threads for the passes (at most ``ExecutionSettings/threads``) and the kernel choice.
    public var execution: ExecutionSettings

    /// A GLAD aggregator; the defaults are crowd-kit 1.4.2's, except ``stopping``.
    public init(maxIterations: Int = 100, tolerance: Double = 1e-5, stopping: Stopping = .relativeChange, labelPriors: [String: Double]? = nil, alphaPriorMeans: [String: Double]? = nil, betaPriorMeans: [String: Double]? = nil, mStepMaxIterations: Int = 25, mStepTolerance: Double = 1e-2, execution: ExecutionSettings = ExecutionSettings()) {
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.stopping = stopping
        self.labelPriors = labelPriors
        self.alphaPriorMeans = alphaPriorMeans
        self.betaPriorMeans = betaPriorMeans
        self.mStepMaxIterations = mStepMaxIterations
        self.mStepTolerance = mStepTolerance
        self.execution = execution
    }

    /// Runs EM with conjugate-gradient M-steps.
    ///
    /// - Throws: ``AggregationError`` when an iteration count is negative, a tolerance is not
    ///   finite (or the M-step one negative), a label prior is missing, not positive or names a
    ///   label no answer uses, or a prior mean is not finite.
    public func fit(_ answers: AnswerTable) throws -> GLADModel {
        try AggregationError.checkIterations(maxIterations, tolerance: tolerance)
        guard mStepMaxIterations >= 0 else { throw AggregationError("the number of M-step iterations must be ≥ 0") }
        guard mStepTolerance.isFinite, mStepTolerance >= 0 else { throw AggregationError("the M-step tolerance must be a finite number ≥ 0") }
        let k = answers.labelCount, w = answers.workerCount, t = answers.taskCount
        var priors = [Double](repeating: 1 / Double(max(k, 1)), count: k)
        if let labelPriors {
            for (name, value) in labelPriors {
                guard answers.labels.index(of: name) != nil else { throw AggregationError("label prior for \"\(name)\", which no answer uses") }
                guard value.isFinite, value > 0 else { throw AggregationError("the prior of label \"\(name)\" must be a positive number, not \(value)") }
            }
            for c in 0..<k {
                guard let p = labelPriors[answers.labels.names[c]] else { throw AggregationError("no prior given for label \"\(answers.labels.names[c])\"") }
                priors[c] = p
            }
        }
        let muAlpha = try Self.means(alphaPriorMeans, names: answers.workers, count: w, what: "α")
        let muBeta = try Self.means(betaPriorMeans, names: answers.tasks, count: t, what: "β")
        if k < 2 {
            // One label: nothing to infer.
            return GLADModel(labels: [Int32](repeating: 0, count: t), probabilities: ProbabilityMatrix(rows: t, columns: k, repeating: 1), alphas: muAlpha.map { _ in 1 }, betas: muBeta.map { _ in 1 }, priors: priors, lossHistory: [], mStepIterations: 0, evaluations: 0, lineSearchFailures: 0)
        }
        // Two parts from 200,000 answers (two threads when there are); every cross-task sum is
        // exact (``ExactSum``), so neither the split nor the row order changes a bit.
        let parts = DawidSkeneEngine.split(answers.byTask, into: answers.answerCount >= 200_000 ? 2 : 1)
        let threadCount = max(1, execution.threads)
        let normaliser = Double(answers.answerCount * k)
        return answers.byTask.offsets.withUnsafeBufferPointer { offsets in
            answers.byTask.entries.withUnsafeBufferPointer { entries in
                let kernel = GLADKernel(offsets: offsets, entries: entries, k: k, workers: w, tasks: t, lnPriors: priors.map { tally_glad_log($0) }, muAlpha: muAlpha, muBeta: muBeta, parts: parts, threads: threadCount, cKernels: execution.cKernels)
                defer { kernel.deallocate() }
                var posteriors = [Double](repeating: 0, count: t * k)
                let run = runEM(workers: w, tasks: t, normaliser: normaliser, eStep: { x in kernel.eStep(x, into: &posteriors) },
                                evaluate: { point, g in kernel.evaluate(point, posteriors: posteriors, gradient: &g) })
                let x = run.x
                let probabilities = ProbabilityMatrix(rows: t, columns: k, values: posteriors)
                return GLADModel(labels: probabilities.argmaxFirst(), probabilities: probabilities, alphas: Array(x[0..<w]), betas: Array(x[w...]), priors: priors, lossHistory: run.history, mStepIterations: run.cgIterations, evaluations: run.evaluations, lineSearchFailures: run.failures)
            }
        }
    }

    /// What ``runEM(workers:tasks:normaliser:eStep:evaluate:)`` ends with.
    struct EMRun {
        /// The parameters `[α…, β…]` after the last M-step.
        var x: [Double]
        /// The parameters of the last E-step (whose posteriors are reported).
        var eStepX: [Double]
        var history: [Double]
        var cgIterations: Int
        var evaluations: Int
        var failures: Int
    }

    /// GLAD's EM loop from `x = 1`: `eStep(x)` recomputes the posteriors that `evaluate(x, &g)`
    /// (`−Q` and its gradient) uses until the next E-step. One loop for the single-machine fit and
    /// the partitioned one (``PartitionedGLAD``), so both stop by the same rule.
    func runEM(workers w: Int, tasks t: Int, normaliser: Double, eStep: ([Double]) -> Void,
               evaluate: ([Double], inout [Double]) -> Double) -> EMRun {
        var x = [Double](repeating: 1, count: w + t)
        var eStepX = x
        var gradient = [Double](repeating: 0, count: w + t)
        eStep(x)
        var q = -evaluate(x, &gradient)
        var evaluations = 1
        var history: [Double] = []
        var cgIterations = 0, failures = 0
        if stopping == .relativeChange { q /= normaliser }
        let optimiser = ConjugateGradient(gradientTolerance: mStepTolerance, maxIterations: mStepMaxIterations)
        for iteration in 0..<maxIterations {
            let last = q
            // The first E-step would repeat the one above (same parameters).
            if iteration > 0 {
                eStep(x)
                eStepX = x
            }
            let result = optimiser.minimize(from: x) { point, g in evaluate(point, &g) }
            x = result.x
            evaluations += result.evaluations
            cgIterations += result.iterations
            if result.lineSearchFailed { failures += 1 }
            q = -result.value / normaliser
            if q.isNaN { q = -.infinity }
            history.append(q)
            let converged = switch stopping {
            case .crowdKit: q - last < tolerance
            case .relativeChange: abs(q - last) <= tolerance * abs(last)
            }
            if converged { break }
        }
        return EMRun(x: x, eStepX: eStepX, history: history, cgIterations: cgIterations, evaluations: evaluations, failures: failures)
    }

    private static func means(_ given: [String: Double]?, names: Interner, count: Int, what: String) throws -> [Double] {
        var out = [Double](repeating: 1, count: count)
        guard let given else { return out }
        for (name, value) in given {
            guard value.isFinite else { throw AggregationError("the prior mean of \(what) for \"\(name)\" must be a finite number") }
            if let id = names.lookup(name) { out[Int(id)] = value }
        }
        return out
    }
}

/// A fitted GLAD model.
public struct GLADModel: FittedModel {
    /// Each task's label: the first most probable one.
    public let labels: [Int32]
    /// The posteriors of the last E-step (the ones the last M-step was fitted to, as crowd-kit).
    public let probabilities: ProbabilityMatrix
    /// Worker abilities `α` by worker id (negative: worse than random, systematically wrong).
    public let alphas: [Double]
    /// Task parameters `β` by task id; `e^{β}` is the inverse difficulty.
    public let betas: [Double]
    /// The fixed label priors, in label order.
    public let priors: [Double]
    /// `Q / (N·K)` after each EM iteration (crowd-kit's `loss_history_`).
    public let lossHistory: [Double]
    /// Conjugate-gradient iterations over all M-steps.
    public let mStepIterations: Int
    /// Objective-and-gradient evaluations (passes over the answers) over the whole fit.
    public let evaluations: Int
    /// M-steps whose line search gave up before the gradient test or the iteration limit.
    public let lineSearchFailures: Int

    /// EM iterations run.
    public var iterations: Int { lossHistory.count }
    /// The abilities `α`.
    public var skills: [Double]? { alphas }
}

/// The two passes of GLAD over the task-sorted answers: the E-step and the objective with its
/// gradient. Tasks are split into contiguous parts, one per thread.
struct GLADKernel: @unchecked Sendable {
    let offsets: UnsafeBufferPointer<Int>
    let entries: UnsafeBufferPointer<Int32>
    let k: Int
    let workers: Int
    let tasks: Int
    let lnPriors: [Double]
    let muAlpha: [Double]
    let muBeta: [Double]
    let parts: [Range<Int>]
    let threads: Int
    /// `ln(K − 1)`.
    let lnOthers: Double
    /// `⌈2^64 / K⌉`: the worker of a fused entry is the high word of `entry · divider`.
    let divider: UInt64
    /// The C pass (AVX2 when the CPU has it: the same bits as the baseline copy and as the Swift pass), unless ``ExecutionSettings/cKernels`` is false.
    let useC: Bool
    /// Per part: the C pass's scratch (answers of a block of tasks), `capacity` answers each.
    let scratch: [UnsafeMutablePointer<Double>]
    let scratchWorkers: [UnsafeMutablePointer<Int32>]
    let capacity: Int

    init(offsets: UnsafeBufferPointer<Int>, entries: UnsafeBufferPointer<Int32>, k: Int, workers: Int, tasks: Int, lnPriors: [Double], muAlpha: [Double], muBeta: [Double], parts: [Range<Int>], threads: Int, cKernels: Bool) {
        self.offsets = offsets
        self.entries = entries
        self.k = k
        self.workers = workers
        self.tasks = tasks
        self.lnPriors = lnPriors
        self.muAlpha = muAlpha
        self.muBeta = muBeta
        self.parts = parts
        self.threads = threads
        lnOthers = tally_glad_log(Double(k - 1))
        divider = UInt64.max / UInt64(k) + 1
        let useC = cKernels
        self.useC = useC
        var largest = 0
        for t in 0..<tasks { largest = max(largest, offsets[t + 1] - offsets[t]) }
        let capacity = max(1024, largest)
        self.capacity = capacity
        let doubles = Int(tally_glad_scratch_doubles(Int64(capacity)))
        scratch = useC ? parts.map { _ in UnsafeMutablePointer<Double>.allocate(capacity: doubles) } : []
        scratchWorkers = useC ? parts.map { _ in UnsafeMutablePointer<Int32>.allocate(capacity: capacity) } : []
    }

    func deallocate() {
        for s in scratch { s.deallocate() }
        for s in scratchWorkers { s.deallocate() }
    }

    /// `ln(1 + e^{−|x|})` is taken as 0 beyond |x| > 30, as crowd-kit's clamped softplus does.
    static let softplusLimit = 30.0

    /// Runs `body` for every part: concurrently when there are threads for it.
    private func forEachPart(_ body: @Sendable (Int) -> Void) {
        if threads > 1 { parallelFor(parts.count, body) } else { for p in parts.indices { body(p) } }
    }

    /// Posteriors of every task under parameters `x = [α…, β…]`.
    func eStep(_ x: [Double], into posteriors: inout [Double]) {
        posteriors.withUnsafeMutableBufferPointer { pp in
            x.withUnsafeBufferPointer { xp in
                let out = UncheckedSendable(pp.baseAddress!), xs = UncheckedSendable(xp.baseAddress!)
                forEachPart { p in
                    self.eStepPart(self.parts[p], alpha: xs.value, beta: xs.value + self.workers, out: out.value)
                }
            }
        }
    }

    private func eStepPart(_ range: Range<Int>, alpha: UnsafePointer<Double>, beta: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>) {
        let k = self.k
        var logits = [Double](repeating: 0, count: k)
        var sums = [Int128](repeating: 0, count: k)
        var counts = [Int](repeating: 0, count: k)
        for t in range {
            let eb = tally_glad_exp(beta[t])
            // ln σ(x) = −max(−x, 0) − ln(1 + e^{−|x|}) and ln σ(x) − ln σ(−x) = x, so an answer y
            // adds x + ln(K − 1) to label y and −max(x, 0) − ln(1 + e^{−|x|}) − ln(K − 1) to every
            // label. The sums over a task's answers are exact (``ExactSum``, each x clamped to
            // ±2^40, where the posteriors are 0 and 1 anyway), so they do not depend on the order
            // of the answers.
            var positive: Int128 = 0, softplus: Int128 = 0
            var nan = false
            for c in 0..<k { sums[c] = 0; counts[c] = 0 }
            let answers = offsets[t]..<offsets[t + 1]
            for i in answers {
                let e = UInt64(UInt32(bitPattern: entries[i]))
                let w = Int(e.multipliedFullWidth(by: divider).high)
                let y = Int(e) - w * k
                let x = alpha[w] * eb
                guard let fx = ExactSum.fixed(x) else { nan = true; continue }
                let ax = abs(x)
                if ax <= Self.softplusLimit { softplus &+= ExactSum.fixed(tally_glad_softplus_negative(ax))! }
                positive &+= ExactSum.fixed(max(x, 0))!
                sums[y] &+= fx
                counts[y] += 1
            }
            let row = out + t * k
            if nan {
                for c in 0..<k { row[c] = .nan }
                continue
            }
            let base = -(ExactSum.value(positive) + Double(answers.count) * lnOthers) - ExactSum.value(softplus)
            var top = -Double.infinity
            for c in 0..<k {
                logits[c] = (ExactSum.value(sums[c]) + Double(counts[c]) * lnOthers) + base + lnPriors[c]
                top = max(top, logits[c])
            }
            var sum = 0.0
            for c in 0..<k {
                logits[c] = tally_glad_exp(logits[c] - top)
                sum += logits[c]
            }
            for c in 0..<k { row[c] = logits[c] / sum }
        }
    }

    /// `−Q(x)` and its gradient `−∇Q(x)` for fixed posteriors.
    func evaluate(_ x: [Double], posteriors: [Double], gradient: inout [Double]) -> Double {
        let q = likelihood(x, posteriors: posteriors, gradient: &gradient)
        return Self.addPriors(q, x: x, gradient: &gradient, workers: workers, tasks: tasks, muAlpha: muAlpha, muBeta: muBeta)
    }

    /// The expected log-likelihood part of `Q(x)` (no priors) and its gradient, not negated: the
    /// α-gradient in `gradient[0..<W]`, the β-gradient per task after it.
    func likelihood(_ x: [Double], posteriors: [Double], gradient: inout [Double]) -> Double {
        let partial = self.partial(x, posteriors: posteriors, gradient: &gradient)
        partial.writeAlphaGradient(into: &gradient)
        return partial.likelihood
    }

    /// The likelihood part and the α-gradient as exact sums (``GLADPartial``), added over the
    /// parts in any order; each task's β-gradient written at `gradient[W + task]`.
    func partial(_ x: [Double], posteriors: [Double], gradient: inout [Double]) -> GLADPartial {
        let parts = self.parts
        let workers = self.workers
        let slots = GLADSlots(parts: parts.count, workers: workers)
        defer { slots.deallocate() }
        gradient.withUnsafeMutableBufferPointer { gp in
            x.withUnsafeBufferPointer { xp in
                posteriors.withUnsafeBufferPointer { pp in
                    let g = UncheckedSendable(gp.baseAddress!), xs = UncheckedSendable(xp.baseAddress!), ps = UncheckedSendable(pp.baseAddress!)
                    forEachPart { p in
                        self.objectivePart(p, alpha: xs.value, beta: xs.value + workers, posteriors: ps.value, alphaSums: slots.alphas[p].baseAddress!,
                                           betaGradient: g.value + workers, value: slots.values.baseAddress! + p, nans: slots.nans.baseAddress! + p)
                    }
                }
            }
        }
        var result = GLADPartial(workers: workers)
        for p in 0..<parts.count {
            result.negatedLikelihood &+= slots.values[p]
            result.nans += slots.nans[p]
            let a = slots.alphas[p]
            result.alphaGradient.withUnsafeMutableBufferPointer { r in
                for i in 0..<workers { r[i] &+= a[i] }
            }
        }
        return result
    }

    /// Adds the Gaussian log-priors on α and β to `q` and `gradient` (the likelihood part of `Q`
    /// and its gradient), then flips the sign: returns `−Q`, leaves `−∇Q`.
    static func addPriors(_ likelihood: Double, x: [Double], gradient: inout [Double], workers: Int, tasks: Int, muAlpha: [Double], muBeta: [Double]) -> Double {
        let halfLog2Pi = 0.5 * tally_glad_log(2 * Double.pi)
        var z = [Double](repeating: 0, count: workers + tasks)
        gradient.withUnsafeMutableBufferPointer { grad in
            x.withUnsafeBufferPointer { x in
                // Gaussian log-priors on α and β, then the sign flip: we minimise −Q.
                for i in 0..<workers {
                    z[i] = x[i] - muAlpha[i]
                    grad[i] = -(grad[i] - z[i])
                }
                for j in 0..<tasks {
                    z[workers + j] = x[workers + j] - muBeta[j]
                    grad[workers + j] = -(grad[workers + j] - z[workers + j])
                }
            }
        }
        // Σ z² exactly (``ExactSum/dot(_:_:)``): the same bits in any order of workers and tasks.
        let q = likelihood - 0.5 * ExactSum.dot(z, z) - Double(workers + tasks) * halfLog2Pi
        return -q
    }

    private func objectivePart(_ part: Int, alpha: UnsafePointer<Double>, beta: UnsafePointer<Double>, posteriors: UnsafePointer<Double>,
                               alphaSums: UnsafeMutablePointer<Int128>, betaGradient: UnsafeMutablePointer<Double>,
                               value: UnsafeMutablePointer<Int128>, nans: UnsafeMutablePointer<Int>) {
        let k = self.k
        let range = parts[part]
        alphaSums.update(repeating: 0, count: workers)
        value.pointee = 0
        nans.pointee = 0
        if useC {
            var n: Int64 = 0
            tally_glad_objective_range(UnsafePointer(OpaquePointer(offsets.baseAddress!)), entries.baseAddress!, Int64(range.lowerBound), Int64(range.upperBound), Int32(k), divider,
                                       alpha, beta, posteriors, UnsafeMutableRawPointer(alphaSums), betaGradient, lnOthers, scratch[part], scratchWorkers[part], Int64(capacity),
                                       UnsafeMutableRawPointer(value), &n)
            nans.pointee = Int(n)
            return
        }
        // The C pass's terms, each on ExactSum's grid (the C pass's integers when its terms agree).
        var q: Int128 = 0
        var nanCount = 0
        for t in range {
            let eb = tally_glad_exp(beta[t])
            let row = posteriors + t * k
            var gb: Int128 = 0
            var taskNaN = false
            for i in offsets[t]..<offsets[t + 1] {
                let e = UInt64(UInt32(bitPattern: entries[i]))
                let w = Int(e.multipliedFullWidth(by: divider).high)
                let y = Int(e) - w * k
                let py = row[y]
                let x = alpha[w] * eb
                let ax = abs(x)
                let z = tally_glad_exp_nonpositive(0 - ax)
                // py·(−ln σ(x)) + (1 − py)·(−ln σ(−x) + ln(K − 1)), crowd-kit's clamped softplus.
                let term = (py * max(-x, 0) + (1 - py) * (max(x, 0) + lnOthers)) + (ax <= Self.softplusLimit ? tally_glad_log1p_unit(z) : 0)
                let d = py - (x >= 0 ? 1 : z) / (1 + z)
                if let v = ExactSum.fixed(term) { q &+= v } else { nanCount += 1 }
                if let v = ExactSum.fixed(d * eb) { alphaSums[w] &+= v } else { nanCount += 1 }
                if let v = ExactSum.fixed(d * x) { gb &+= v } else { taskNaN = true }
            }
            betaGradient[t] = taskNaN ? .nan : ExactSum.value(gb)
        }
        value.pointee = q
        nans.pointee = nanCount
    }
}

/// Per-thread results of one objective pass: the negated likelihood part, NaN terms and the
/// α-gradient of each part, as exact sums.
private struct GLADSlots: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Int128>
    let nans: UnsafeMutableBufferPointer<Int>
    let alphas: [UnsafeMutableBufferPointer<Int128>]

    init(parts: Int, workers: Int) {
        values = .allocate(capacity: max(1, parts))
        values.initialize(repeating: 0)
        nans = .allocate(capacity: max(1, parts))
        nans.initialize(repeating: 0)
        alphas = (0..<max(1, parts)).map { _ in
            let b = UnsafeMutableBufferPointer<Int128>.allocate(capacity: max(1, workers))
            b.initialize(repeating: 0)
            return b
        }
    }

    func deallocate() {
        values.deallocate()
        nans.deallocate()
        for a in alphas { a.deallocate() }
    }
}

/// A pass's likelihood part and α-gradient as exact sums on ``ExactSum``'s grid: partials of any
/// partitions or threads add up (``add(_:)``, integer addition) to the same bits in any order.
/// The β-gradients are per task and travel as doubles.
package struct GLADPartial: Equatable, Sendable {
    /// `−(likelihood part)` on the grid.
    package var negatedLikelihood: Int128 = 0
    /// The α-gradient of every worker on the grid.
    package var alphaGradient: [Int128]
    /// NaN terms seen (the likelihood and every α-gradient are then NaN).
    package var nans: Int = 0

    /// A zero partial for `workers` workers.
    package init(workers: Int) { alphaGradient = [Int128](repeating: 0, count: workers) }

    /// Adds another partial (same workers).
    package mutating func add(_ other: GLADPartial) {
        negatedLikelihood &+= other.negatedLikelihood
        nans += other.nans
        for i in alphaGradient.indices { alphaGradient[i] &+= other.alphaGradient[i] }
    }

    /// The likelihood part as a double (NaN when a term was).
    package var likelihood: Double { nans > 0 ? .nan : -ExactSum.value(negatedLikelihood) }

    /// Writes the α-gradients as doubles into `gradient[0..<W]`.
    package func writeAlphaGradient(into gradient: inout [Double]) {
        for i in alphaGradient.indices { gradient[i] = nans > 0 ? .nan : ExactSum.value(alphaGradient[i]) }
    }

    /// `4 + 3W` limbs (``ExactSum/limbs(_:)``): `[nans, likelihood's three, then three per worker]`,
    /// to be summed element-wise as `Int64` (any order, fewer than 2^16 partials).
    package var limbs: [Int64] {
        var out = [Int64](repeating: 0, count: 4 + 3 * alphaGradient.count)
        out[0] = Int64(nans)
        (out[1], out[2], out[3]) = ExactSum.limbs(negatedLikelihood)
        for (i, v) in alphaGradient.enumerated() { (out[4 + 3 * i], out[5 + 3 * i], out[6 + 3 * i]) = ExactSum.limbs(v) }
        return out
    }

    /// The partial of summed ``limbs`` (`4 + 3·workers` of them).
    package init(limbs l: UnsafeBufferPointer<Int64>, workers: Int) {
        nans = Int(l[0])
        negatedLikelihood = ExactSum.fromLimbs(l[1], l[2], l[3])
        alphaGradient = (0..<workers).map { ExactSum.fromLimbs(l[4 + 3 * $0], l[5 + 3 * $0], l[6 + 3 * $0]) }
    }
}
