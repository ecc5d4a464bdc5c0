import Foundation
import TallyCore

/// MACE, Multi-Annotator Competence Estimation.
///
/// D. Hovy, T. Berg-Kirkpatrick, A. Vaswani, E. Hovy, "Learning Whom to Trust with MACE",
/// NAACL-HLT 2013. A task's true label is uniform over the K labels; on each answer worker `w`
/// either knows (probability `s1[w]`) and gives the true label, or spams (`s0[w]`) and draws a
/// label from its strategy `θ[w,·]`. So an answer `y` has likelihood `a(w,y,c) = s0[w]·θ[w,y] +
/// s1[w]·[y = c]` under true label `c`.
///
/// The model follows crowd-kit 1.4.2's `MACE`:
/// - Each restart draws `s` and `θ` from Uniform[1, 2 + defaultNoise] and normalises each row,
///   runs one E-step, then `iterations` × (M-step, E-step); the restart with the highest
///   log-likelihood (of its last E-step) wins and one final E-step gives the probabilities.
/// - ``Method/variational`` (crowd-kit's "vb"): `s[w,·] = exp ψ(n + prior) / exp ψ(Σ(n + prior))`
///   with the Beta prior (`alpha` on "spams", `beta` on "knows") and a Dirichlet(`strategyPrior`)
///   on `θ`; not renormalised, as in crowd-kit. ``Method/expectationMaximization`` ("em"):
///   `(n + 0.01/K) / Σ(n + 0.01/K)` (crowd-kit's fixed smoothing; its `smoothing` argument is
///   never read, so it is not offered here).
///
/// Where it deliberately differs from crowd-kit 1.4.2, whose behaviour there is a defect:
/// - **Restarts differ.** crowd-kit re-seeds every restart with the same `random_state`, so its ten
///   restarts are one run done ten times. Here restart `r` is seeded with the `r`-th output of a
///   `SplitMix64(seed:)` master generator; ``MACEModel/restartLogLikelihoods`` shows they differ.
/// - **Names do not matter.** crowd-kit sums expected strategy counts with a sorted groupby and
///   uses them positionally against first-appearance indices, so its output depends on how
///   workers and labels are spelled (correct only when they appear in sorted order). Here every
///   count is indexed by the worker's id; renaming workers changes nothing.
/// - **Log space.** crowd-kit multiplies raw likelihoods per task, so a task with a few thousand
///   answers underflows to 0/0 = NaN. Here each task's `ln G[t,c]` is a sum of logs and the
///   posterior a max-shifted softmax. The log-likelihood is the exact `Σ_t ln Σ_c G[t,c]` (crowd-kit
///   adds 1e-8 inside the log, which caps every big task's term at ln 1e-8).
///
/// - Complexity: per E-step one pass over the task-sorted answers, one table look-up per answer
///   whatever K: `ln G[t,c] = B_t + Σ_{answers y = c} r(w,y) − ln K` with `r = ln(1 + s1/(s0θ))`
///   and `B_t` the task's sum of `ln s0θ`; with two labels each answer adds one `±r` to the task's
///   log-odds. An answer is "known" with probability `P[t,y]·q(w,y)`, `q = s1/(s0θ + s1)`, so the
///   pass scatters `P[t,y]` into a W·K table and the M-step is O(W·K). Restarts are independent
///   and run on up to ``ExecutionSettings/threads`` threads (``execution``), one restart per thread.
///
/// The default is this correct model; ``Compatibility/crowdKit`` reproduces crowd-kit 1.4.2's `MACE`
/// exactly, defects included, only to re-derive tables published with it (JOSS 2024).
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try MACE(restarts: 10, iterations: 50, seed: 1).fit(answers)
/// let knows = model.skills!                // per worker id: P(answers truthfully)
/// let whenSpamming = model.strategies.row(0)   // worker 0's label distribution when spamming
/// ```
public struct MACE: Aggregator {
    /// Which computation ``MACE/fit(_:)`` runs.
    public enum Compatibility: String, Sendable, CaseIterable {
        /// The correct model (the default), as documented on ``MACE``.
        case none
        /// crowd-kit 1.4.2's `MACE`, reproduced exactly — its defects included — to re-derive
        /// results published with it: the JOSS 2024 table's MACE column (vldb-product / possent /
        /// rel / adult 0.929 / 0.950 / 0.501 / 0.763) comes from these defects, and the correct
        /// model gives 0.820 / 0.957 / 0.608 / 0.781. Do not use it to label data.
        ///
        /// What it copies:
        /// - **One start for every restart.** ``MACE/seed`` is numpy's `RandomState` seed
        ///   (crowd-kit's `random_state`, default 0, so it must be below 2³²); `spamming_` (W×2)
        ///   and `thetas_` (W×K) are drawn from a fresh `RandomState(seed)` each, as
        ///   `uniform(1, 1 + defaultNoise)`, row-normalised. Every restart draws the same numbers,
        ///   so the restarts are one run done ``MACE/restarts`` times: it is computed once and
        ///   reported for each restart (``MACEModel/bestRestart`` is 0, as crowd-kit keeps the first
        ///   of equal likelihoods).
        /// - **Strategies paired by sorted name.** The expected strategy counts are a table sorted
        ///   by worker name (UTF-8 byte order: Python's `str` order, workers read as strings as the
        ///   reference runner reads them) and label (``LabelSet`` order, pandas' for int or str labels),
        ///   and crowd-kit reads it positionally, as if rows were workers in first-appearance order
        ///   and columns labels in first-appearance order. So worker `w` spams with the strategy
        ///   estimated for the `w`-th worker by name, over relabelled columns, and results change
        ///   when workers are renamed. (The spamming probabilities are aligned by name, correctly.)
        /// - **Raw probabilities.** Each task's `G[t,c] = Π(s0·θ + s1·[y = c]) / K` is a product of
        ///   raw numbers in input order; a task with a few thousand answers underflows to 0 for
        ///   every label and gets NaN probabilities (counted in ``MACEModel/underflowTasks``; its
        ///   label is then the first in ``LabelSet`` order, meaningless — crowd-kit gives NaN). The answers of such a
        ///   task drop out of the counts, as pandas skips NaN.
        /// - **Its arithmetic.** The log-likelihood is `Σ_t ln(Z_t + 1e-8)`; the variational M-step
        ///   is `exp ψ(n + prior) / exp ψ(Σ(n + prior))` with SciPy's digamma; sums follow pandas
        ///   (Kahan-compensated group sums in input order) and numpy (pairwise row sums where the
        ///   array is row-major); ties go to the label that appears first in the input (crowd-kit's
        ///   `idxmax` over first-appearance columns), not to the first in ``LabelSet`` order.
        ///
        /// ``MACEModel/strategies`` then holds, for each worker, the strategy crowd-kit applies to
        /// that worker's answers (in ``LabelSet`` columns); ``MACEModel/spamming`` is crowd-kit's
        /// `spamming_`. ``MACE/strategyPrior`` is crowd-kit's fixed 10 by default; ``execution`` does
        /// not apply. Against crowd-kit 1.4.2 (`MACECompatibilityTests`): identical labels on 23
        /// data sets and the toy set; probabilities and `spamming_` within 1e-12 (last-bit
        /// differences between numpy's vectorised `exp`/`log` and the C library's).
        case crowdKit = "crowd-kit"
    }

    /// How the M-step estimates the parameters.
    public enum Method: String, Sendable, CaseIterable {
        /// Variational Bayes with Beta/Dirichlet priors (crowd-kit's default "vb").
        case variational = "vb"
        /// Plain EM with smoothing 0.01/K (crowd-kit's "em").
        case expectationMaximization = "em"
    }

    /// Random restarts; the one with the highest log-likelihood is kept.
    public var restarts: Int
    /// (M-step, E-step) rounds per restart (no tolerance, as crowd-kit).
    public var iterations: Int
    /// ``Method/variational`` (default, crowd-kit's "vb") or ``Method/expectationMaximization``.
    public var method: Method
    /// Beta prior on the "spams" probability `s0` (crowd-kit's `alpha`; variational only).
    public var alpha: Double
    /// Beta prior on the "knows" probability `s1` (crowd-kit's `beta`; variational only).
    public var beta: Double
    /// Symmetric Dirichlet prior on each strategy `θ[w,·]` (variational only; fixed at 10 in crowd-kit).
    public var strategyPrior: Double
    /// Initial draws are Uniform[1, 2 + defaultNoise] before row normalisation (crowd-kit's
    /// `uniform(1, 1 + default_noise)`, i.e. loc 1, scale 1 + default_noise).
    public var defaultNoise: Double
    /// The master seed: restart `r` is seeded with the `r`-th draw of `SplitMix64(seed)`.
    public var seed: UInt64
    /// Threads running restarts side by side (``ExecutionSettings/threads``; results do not depend on it).
    public var execution: ExecutionSettings
    /// ``Compatibility/none`` (default): the correct model; ``Compatibility/crowdKit``: crowd-kit
    /// 1.4.2's computation, defects included, where ``seed`` is its `random_state`.
    public var compatibility: Compatibility

    /// Test hook: the initial `(spamming W×2, strategies W×K)` of restart `r`, in place of the
    /// random draw (used to start from crowd-kit's exact initial parameters).
    var initialization: (@Sendable (_ restart: Int, _ workers: Int, _ labels: Int) -> (spamming: [Double], strategies: [Double]))?
    /// Test hook: run the general-K pass also for two labels.
    var forceGeneralPass = false

    /// A MACE aggregator; the defaults are crowd-kit 1.4.2's.
    public init(
        restarts: Int = 10, iterations: Int = 50, method: Method = .variational,
        alpha: Double = 0.5, beta: Double = 0.5, strategyPrior: Double = 10, defaultNoise: Double = 0.5,
        seed: UInt64 = 0, execution: ExecutionSettings = ExecutionSettings(), compatibility: Compatibility = .none
    ) {
        self.restarts = restarts
        self.iterations = iterations
        self.method = method
        self.alpha = alpha
        self.beta = beta
        self.strategyPrior = strategyPrior
        self.defaultNoise = defaultNoise
        self.seed = seed
        self.execution = execution
        self.compatibility = compatibility
    }

    /// Runs every restart and keeps the most likely one.
    ///
    /// - Throws: ``AggregationError`` when there are no answers, `restarts` < 1, `iterations` < 0,
    ///   a variational prior is not positive, `defaultNoise` ≤ −1, or (crowd-kit mode) `seed` ≥
    ///   2³² or crowd-kit's own fit would fail (a NaN log-likelihood).
    public func fit(_ answers: AnswerTable) throws -> MACEModel {
        guard restarts >= 1 else { throw AggregationError("MACE needs at least one restart") }
        try AggregationError.checkIterations(iterations)
        guard answers.answerCount > 0, answers.labelCount > 0 else { throw AggregationError("MACE needs at least one answer") }
        try checkMemory(answers)
        if method == .variational {
            guard alpha > 0, beta > 0, strategyPrior > 0 else {
                throw AggregationError("MACE's priors must be positive (alpha \(alpha), beta \(beta), strategy prior \(strategyPrior))")
            }
        }
        guard defaultNoise > -1, defaultNoise.isFinite else { throw AggregationError("defaultNoise must be > −1 (the draws are Uniform[1, 2 + defaultNoise])") }
        if compatibility == .crowdKit { return try fitCrowdKit(answers) }

        let engine = MACEEngine(answers, method: method, alpha: alpha, beta: beta, strategyPrior: strategyPrior, general: forceGeneralPass)
        var master = SplitMix64(seed: seed)
        let seeds = (0..<restarts).map { _ in master.next() }
        let w = answers.workerCount, k = answers.labelCount
        let noise = defaultNoise
        let hook = initialization
        let iterations = self.iterations

        let slots = RestartSlots(count: restarts)
        let run: @Sendable (Int) -> Void = { r in
            var params: MACEEngine.Parameters
            if let hook {
                let (s, th) = hook(r, w, k)
                params = MACEEngine.Parameters(spamming: s, strategies: th, workers: w, labels: k)
            } else {
                var rng = SplitMix64(seed: seeds[r])
                params = MACEEngine.Parameters.random(workers: w, labels: k, noise: noise, rng: &rng)
            }
            slots.results[r] = engine.restart(params, iterations: iterations)
        }
        let parallel = max(1, min(max(1, execution.threads), restarts))
        if parallel == 1 {
            for r in 0..<restarts { run(r) }
        } else {
            // Thread i runs restarts i, i + parallel, … (results do not depend on the split).
            DispatchQueue.concurrentPerform(iterations: parallel) { i in
                for r in stride(from: i, to: restarts, by: parallel) { run(r) }
            }
        }
        let results = (0..<restarts).map { slots.results[$0]! }
        slots.deallocate()

        var best = 0
        for r in 1..<restarts where results[r].logLikelihood > results[best].logLikelihood { best = r }
        let chosen = results[best].parameters
        var counts = [Double](repeating: 0, count: engine.rows)
        var p = [Double](repeating: 0, count: answers.taskCount * k)
        let finalLikelihood = p.withUnsafeMutableBufferPointer { engine.eStep(chosen, counts: &counts, posteriors: $0.baseAddress, likelihood: true) }
        let probabilities = ProbabilityMatrix(rows: answers.taskCount, columns: k, values: p)

        var spamming = [Double](repeating: 0, count: 2 * w)
        var skills = [Double](repeating: 0, count: w)
        for i in 0..<w {
            let s0 = exp(chosen.logS0[i]), s1 = exp(chosen.logS1[i])
            spamming[2 * i] = s0
            spamming[2 * i + 1] = s1
            skills[i] = s1 / (s0 + s1)
        }
        return MACEModel(
            labels: probabilities.argmaxFirst(), probabilities: probabilities, skills: skills,
            spamming: ProbabilityMatrix(rows: w, columns: 2, values: spamming),
            strategies: ProbabilityMatrix(rows: w, columns: k, values: chosen.logTheta.map { exp($0) }),
            logLikelihood: finalLikelihood, bestRestart: best, restartLogLikelihoods: results.map(\.logLikelihood), underflowTasks: 0)
    }

    /// ``Compatibility/crowdKit``: crowd-kit 1.4.2's fit (``MACECrowdKitEngine``), in Tally's ids.
    private func fitCrowdKit(_ answers: AnswerTable) throws -> MACEModel {
        guard let seed32 = UInt32(exactly: seed) else {
            throw AggregationError("with crowd-kit compatibility the seed is numpy's RandomState seed (crowd-kit's random_state) and must be below 2^32, not \(seed)")
        }
        let engine = MACECrowdKitEngine(answers, method: method, alpha: alpha, beta: beta, strategyPrior: strategyPrior)
        let fit = engine.fit(iterations: iterations, noise: defaultNoise, seed: seed32)
        guard !fit.logLikelihood.isNaN else {
            // crowd-kit keeps a restart only if its likelihood beats −inf; with NaN it keeps none and raises.
            throw AggregationError("crowd-kit 1.4.2's MACE fails on this data (its log-likelihood is NaN, so no restart is kept)")
        }
        let w = answers.workerCount, k = answers.labelCount, n = answers.taskCount
        var probabilities = ProbabilityMatrix(rows: n, columns: k)
        var labels = [Int32](repeating: 0, count: n)
        var underflow = 0
        for t in 0..<n {
            for l in 0..<k { probabilities[t, l] = fit.probabilities[t * k + engine.codeOf[l]] }
            if fit.labels[t] < 0 {
                underflow += 1
            } else {
                labels[t] = Int32(engine.labelOf[fit.labels[t]])
            }
        }
        var skills = [Double](repeating: 0, count: w)
        var strategies = [Double](repeating: 0, count: w * k)
        for i in 0..<w {
            let s0 = fit.parameters.spamming[2 * i], s1 = fit.parameters.spamming[2 * i + 1]
            skills[i] = s1 / (s0 + s1)
            for l in 0..<k { strategies[i * k + l] = fit.parameters.thetas[i * k + engine.codeOf[l]] }
        }
        return MACEModel(
            labels: labels, probabilities: probabilities, skills: skills,
            spamming: ProbabilityMatrix(rows: w, columns: 2, values: fit.parameters.spamming),
            strategies: ProbabilityMatrix(rows: w, columns: k, values: strategies),
            logLikelihood: fit.logLikelihood, bestRestart: 0,
            restartLogLikelihoods: [Double](repeating: fit.logLikelihood, count: restarts), underflowTasks: underflow)
    }
}

/// A fitted MACE model.
public struct MACEModel: FittedModel {
    /// Per task, the label with the highest posterior (ties to the first label in ``LabelSet`` order).
    public let labels: [Int32]
    /// Tasks × labels posteriors, columns in ``LabelSet`` order.
    public let probabilities: ProbabilityMatrix
    /// Per worker, the probability of answering truthfully ("knows"): `s1 / (s0 + s1)` from
    /// ``spamming``. Under EM the row already sums to 1, so this is `spamming[w, 1]`; under
    /// variational Bayes the row is `exp E[ln s]` and sums to slightly less than 1.
    public let skills: [Double]?
    /// Workers × 2: column 0 "spams" (`s0`), column 1 "knows" (`s1`), as crowd-kit's `spamming_`.
    public let spamming: ProbabilityMatrix
    /// Workers × labels: each worker's spamming strategy `θ[w,·]` (crowd-kit's `thetas_`).
    public let strategies: ProbabilityMatrix
    /// `Σ_t ln Σ_c G[t,c]` of the final E-step (the chosen restart's parameters); with
    /// ``MACE/Compatibility/crowdKit``, crowd-kit's `Σ_t ln(Σ_c G[t,c] + 1e-8)`.
    public let logLikelihood: Double
    /// The restart (0-based) whose parameters were kept.
    public let bestRestart: Int
    /// Each restart's log-likelihood after its last E-step.
    public let restartLogLikelihoods: [Double]
    /// Tasks whose likelihood underflowed to 0 for every label, so that their probabilities are
    /// NaN (only with ``MACE/Compatibility/crowdKit``, which multiplies raw probabilities; the
    /// default works in log space and has none).
    public let underflowTasks: Int
}

/// One result slot per restart, written by its own thread.
private final class RestartSlots: @unchecked Sendable {
    let results: UnsafeMutableBufferPointer<MACEEngine.RestartResult?>
    init(count: Int) {
        results = .allocate(capacity: count)
        results.initialize(repeating: nil)
    }
    func deallocate() {
        _ = results.deinitialize()
        results.deallocate()
    }
}

/// The E- and M-steps of ``MACE`` over an answer table's task-sorted view.
struct MACEEngine: Sendable {
    /// Log-parameters: `ln s0[w]`, `ln s1[w]`, `ln θ[w,y]` (row `w·K + y`).
    struct Parameters: Sendable {
        var logS0: [Double]
        var logS1: [Double]
        var logTheta: [Double]

        init(logS0: [Double], logS1: [Double], logTheta: [Double]) {
            self.logS0 = logS0
            self.logS1 = logS1
            self.logTheta = logTheta
        }

        init(spamming: [Double], strategies: [Double], workers: Int, labels: Int) {
            precondition(spamming.count == 2 * workers && strategies.count == workers * labels)
            logS0 = (0..<workers).map { log(spamming[2 * $0]) }
            logS1 = (0..<workers).map { log(spamming[2 * $0 + 1]) }
            logTheta = strategies.map { log($0) }
        }

        /// Uniform[1, 2 + noise] draws, rows normalised: first the W×2 spamming draws, then W×K.
        static func random(workers: Int, labels: Int, noise: Double, rng: inout SplitMix64) -> Parameters {
            let scale = 1 + noise
            var spamming = (0..<2 * workers).map { _ in 1 + scale * rng.nextUniform() }
            var strategies = (0..<workers * labels).map { _ in 1 + scale * rng.nextUniform() }
            for w in 0..<workers {
                let s = spamming[2 * w] + spamming[2 * w + 1]
                spamming[2 * w] /= s
                spamming[2 * w + 1] /= s
                var t = 0.0
                for y in 0..<labels { t += strategies[w * labels + y] }
                for y in 0..<labels { strategies[w * labels + y] /= t }
            }
            return Parameters(spamming: spamming, strategies: strategies, workers: workers, labels: labels)
        }
    }

    struct RestartResult: Sendable {
        let parameters: Parameters
        let logLikelihood: Double
    }

    let k: Int
    let workers: Int
    let tasks: Int
    let rows: Int
    let offsets: [Int]
    let entries: [Int32]
    /// The label of each answer in task order (general pass only).
    let answerLabel: [Int32]
    /// Answers per (worker, label) row.
    let rowCount: [Double]
    let method: MACE.Method
    let alpha: Double, beta: Double, strategyPrior: Double
    let binary: Bool

    init(_ table: AnswerTable, method: MACE.Method, alpha: Double, beta: Double, strategyPrior: Double, general: Bool) {
        k = table.labelCount
        workers = table.workerCount
        tasks = table.taskCount
        rows = workers * k
        offsets = table.byTask.offsets
        entries = table.byTask.entries
        binary = k == 2 && !general
        let k = self.k
        answerLabel = binary ? [] : table.byTask.entries.map { $0 % Int32(k) }
        var n = [Double](repeating: 0, count: rows)
        for e in table.byTask.entries { n[Int(e)] += 1 }
        rowCount = n
        self.method = method
        self.alpha = alpha
        self.beta = beta
        self.strategyPrior = strategyPrior
    }

    /// One restart: an E-step, then `iterations` × (M-step, E-step).
    func restart(_ start: Parameters, iterations: Int) -> RestartResult {
        var params = start
        var counts = [Double](repeating: 0, count: rows)
        var ll = eStep(params, counts: &counts, posteriors: nil, likelihood: iterations == 0)
        for i in 0..<iterations {
            params = mStep(params, counts: counts)
            ll = eStep(params, counts: &counts, posteriors: nil, likelihood: i == iterations - 1)
        }
        return RestartResult(parameters: params, logLikelihood: ll)
    }

    // MARK: - E-step

    /// `z = ln s1 − ln(s0 θ)` of every (worker, label) row.
    @inline(__always)
    private func logRatio(_ p: Parameters, row e: Int, worker w: Int) -> (z: Double, logB: Double) {
        let logB = p.logS0[w] + p.logTheta[e]
        return (p.logS1[w] - logB, logB)
    }

    /// `ln(1 + e^z)`, exact for large |z|.
    @inline(__always)
    static func softplus(_ z: Double) -> Double { z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)) }

    /// One E-step: per task the posterior over labels; `counts[w·K + y] = Σ P[t,y]` over the
    /// answers `y` of worker `w`. Returns `Σ_t ln Σ_c G[t,c]` when `likelihood`, else 0.
    func eStep(_ p: Parameters, counts: inout [Double], posteriors: UnsafeMutablePointer<Double>?, likelihood: Bool) -> Double {
        // Per row: (contribution to ln G for c = 0, log-odds increment) in the binary pass;
        // (r, ln s0θ) in the general one.
        var table = [Double](repeating: 0, count: 2 * rows)
        for w in 0..<workers {
            for y in 0..<k {
                let e = w * k + y
                let (z, logB) = logRatio(p, row: e, worker: w)
                let r = Self.softplus(z)
                if binary {
                    table[2 * e] = y == 0 ? logB + r : logB
                    table[2 * e + 1] = y == 0 ? -r : r
                } else {
                    table[2 * e] = r
                    table[2 * e + 1] = logB
                }
            }
        }
        for i in counts.indices { counts[i] = 0 }
        return offsets.withUnsafeBufferPointer { offsets in
            entries.withUnsafeBufferPointer { entries in
                table.withUnsafeBufferPointer { table in
                    counts.withUnsafeMutableBufferPointer { counts in
                        binary
                            ? Self.binaryPass(offsets: offsets, entries: entries, table: table, counts: counts, posteriors: posteriors, likelihood: likelihood)
                            : answerLabel.withUnsafeBufferPointer { labels in
                                Self.generalPass(k: k, offsets: offsets, entries: entries, labels: labels, table: table, counts: counts, posteriors: posteriors, likelihood: likelihood)
                            }
                    }
                }
            }
        }
    }

    private static func binaryPass(
        offsets: UnsafeBufferPointer<Int>, entries: UnsafeBufferPointer<Int32>, table: UnsafeBufferPointer<Double>,
        counts: UnsafeMutableBufferPointer<Double>, posteriors: UnsafeMutablePointer<Double>?, likelihood: Bool
    ) -> Double {
        let tasks = offsets.count - 1
        var ll = 0.0
        let ln2 = log(2.0)
        // The two posteriors, indexed by an answer's label (no branch in the scatter).
        let pair = UnsafeMutablePointer<Double>.allocate(capacity: 2)
        defer { pair.deallocate() }
        for t in 0..<tasks {
            let lo = offsets[t], hi = offsets[t + 1]
            var d0 = 0.0, d1 = 0.0
            var i = lo
            while i + 2 <= hi {
                d0 += table[2 * Int(entries[i]) + 1]
                d1 += table[2 * Int(entries[i + 1]) + 1]
                i += 2
            }
            if i < hi { d0 += table[2 * Int(entries[i]) + 1] }
            let delta = d0 + d1
            let a = abs(delta)
            // Below e^-69 the smaller posterior is flushed to 0 (no subnormals, see Dawid-Skene).
            let z = DawidSkeneEngine.expNonPositive(-a)
            let high = 1 / (1 + z), low = z * high
            let (p0, p1) = delta > 0 ? (low, high) : (high, low)
            pair[0] = p0
            pair[1] = p1
            if likelihood {
                var u = 0.0
                for j in lo..<hi { u += table[2 * Int(entries[j])] }
                ll += u + max(delta, 0) + log1p(exp(-a)) - ln2
            }
            if let posteriors {
                posteriors[2 * t] = p0
                posteriors[2 * t + 1] = p1
            }
            for j in lo..<hi {
                let e = Int(entries[j])
                counts[e] += pair[e & 1]
            }
        }
        return ll
    }

    /// The pass for any K. Labels nobody gave on a task keep logit 0 and share one exponential,
    /// so a task costs O(its answers + its distinct labels), not O(K).
    private static func generalPass(
        k: Int, offsets: UnsafeBufferPointer<Int>, entries: UnsafeBufferPointer<Int32>, labels: UnsafeBufferPointer<Int32>,
        table: UnsafeBufferPointer<Double>, counts: UnsafeMutableBufferPointer<Double>,
        posteriors: UnsafeMutablePointer<Double>?, likelihood: Bool
    ) -> Double {
        let tasks = offsets.count - 1
        // l[c]: logit, then posterior, of label c (0 when untouched); seen[c]: c is in `distinct`.
        let l = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
        let seen = UnsafeMutableBufferPointer<Bool>.allocate(capacity: k)
        let distinct = UnsafeMutableBufferPointer<Int>.allocate(capacity: k)
        defer { l.deallocate(); seen.deallocate(); distinct.deallocate() }
        l.initialize(repeating: 0)
        seen.initialize(repeating: false)
        let logK = log(Double(k))
        var ll = 0.0
        for t in 0..<tasks {
            let lo = offsets[t], hi = offsets[t + 1]
            var nd = 0
            for i in lo..<hi {
                let y = Int(labels[i])
                l[y] += table[2 * Int(entries[i])]
                if !seen[y] {
                    seen[y] = true
                    distinct[nd] = y
                    nd += 1
                }
            }
            let untouched = k - nd
            var m = untouched > 0 ? 0 : -Double.infinity
            for j in 0..<nd where l[distinct[j]] > m { m = l[distinct[j]] }
            let rest = DawidSkeneEngine.expNonPositive(-m)
            var sum = Double(untouched) * rest
            for j in 0..<nd {
                let c = distinct[j]
                let x = DawidSkeneEngine.expNonPositive(l[c] - m)
                l[c] = x
                sum += x
            }
            let inverse = 1 / sum
            for j in 0..<nd { l[distinct[j]] *= inverse }
            if likelihood {
                var b = 0.0
                for i in lo..<hi { b += table[2 * Int(entries[i]) + 1] }
                ll += b + m + log(sum) - logK
            }
            if let posteriors {
                let restP = rest * inverse
                for c in 0..<k { posteriors[t * k + c] = seen[c] ? l[c] : restP }
            }
            for i in lo..<hi { counts[Int(entries[i])] += l[Int(labels[i])] }
            for j in 0..<nd {
                l[distinct[j]] = 0
                seen[distinct[j]] = false
            }
        }
        return ll
    }

    // MARK: - M-step

    /// New parameters from the expected counts of the E-step run with `p`.
    ///
    /// An answer `y` of worker `w` on task `t` was "known" with probability `P[t,y]·q`,
    /// `q = s1/(s0θ + s1)`, and spammed otherwise; so the spammed count of row `(w,y)` is
    /// `(n − S) + S(1 − q)` with `S = Σ P[t,y]` (written this way to avoid `n − qS` cancelling).
    func mStep(_ p: Parameters, counts: [Double]) -> Parameters {
        var next = p
        var strategy = [Double](repeating: 0, count: k)
        for w in 0..<workers {
            var known = 0.0, spammed = 0.0
            for y in 0..<k {
                let e = w * k + y
                let (z, _) = logRatio(p, row: e, worker: w)
                let q = 1 / (1 + exp(-z)), notQ = 1 / (1 + exp(z))
                let s = counts[e]
                known += s * q
                let c = max(0, rowCount[e] - s) + s * notQ
                strategy[y] = c
                spammed += c
            }
            switch method {
            case .variational:
                let norm = Self.digamma(spammed + known + alpha + beta)
                next.logS0[w] = Self.digamma(spammed + alpha) - norm
                next.logS1[w] = Self.digamma(known + beta) - norm
                let thetaNorm = Self.digamma(spammed + Double(k) * strategyPrior)
                for y in 0..<k { next.logTheta[w * k + y] = Self.digamma(strategy[y] + strategyPrior) - thetaNorm }
            case .expectationMaximization:
                let smoothing = 0.01 / Double(k)
                let norm = log(spammed + known + 2 * smoothing)
                next.logS0[w] = log(spammed + smoothing) - norm
                next.logS1[w] = log(known + smoothing) - norm
                let thetaNorm = log(spammed + Double(k) * smoothing)
                for y in 0..<k { next.logTheta[w * k + y] = log(strategy[y] + smoothing) - thetaNorm }
            }
        }
        return next
    }

    /// The digamma function ψ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series
    /// (absolute error below 1e-15 there).
    static func digamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        // ln x − 1/(2x) − Σ B_{2n} / (2n x^{2n})
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760))))))
        return result + log(x) - 0.5 / x - series
    }
}
