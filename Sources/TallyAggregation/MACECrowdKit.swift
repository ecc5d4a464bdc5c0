import Foundation
import TallyCore

/// crowd-kit 1.4.2's `MACE.fit`, step for step and in its order of floating-point operations:
/// the engine behind ``MACE/Compatibility/crowdKit`` (see there for what it copies and why).
///
/// Everything is in crowd-kit's own terms: workers by first appearance (`pd.factorize`, which are
/// Tally's worker ids), labels by first appearance (`codes`, not ``LabelSet`` order), raw
/// probabilities (no logs), pandas' summation orders (Kahan-compensated group sums in input order,
/// group products in input order, row sums left to right or numpy's pairwise sum, whichever the
/// array layout gives crowd-kit) and SciPy's digamma. The default ``MACE`` does not use any of it.
struct MACECrowdKitEngine {
    /// crowd-kit's `spamming_` and `thetas_`, as crowd-kit indexes them.
    struct Parameters {
        /// Workers × 2 by worker id: `[s0 "spams", s1 "knows"]`.
        var spamming: [Double]
        /// Workers × labels, positional: the E-step reads row `w` (worker id) and column `c` (the
        /// label's first-appearance code), whatever the M-step meant by that position.
        var thetas: [Double]
    }

    let k: Int
    let workers: Int
    let tasks: Int
    /// Per answer, in input order.
    let task: [Int32]
    let worker: [Int32]
    /// The label's first-appearance code (crowd-kit's `labels` from `pd.factorize`).
    let code: [Int32]
    /// The label's ``LabelSet`` id (its position in sorted order).
    let label: [Int32]
    /// Answers grouped by task, input order within a task: worker id and label code.
    let offsets: [Int]
    let taskWorker: [Int32]
    let taskCode: [Int32]
    /// ``LabelSet`` id → first-appearance code, and back.
    let codeOf: [Int]
    let labelOf: [Int]
    /// Worker ids in the order of their names (UTF-8 bytes, Python's `str` order): the rows of
    /// crowd-kit's sorted `groupby(["worker", "label"])`.
    let sortedWorkers: [Int]
    let method: MACE.Method
    let alpha: Double, beta: Double, strategyPrior: Double

    init(_ table: AnswerTable, method: MACE.Method, alpha: Double, beta: Double, strategyPrior: Double) {
        k = table.labelCount
        workers = table.workerCount
        tasks = table.taskCount
        task = table.task
        worker = table.worker
        label = table.label
        var codeOf = [Int](repeating: -1, count: k), labelOf: [Int] = []
        for l in table.label where codeOf[Int(l)] < 0 {
            codeOf[Int(l)] = labelOf.count
            labelOf.append(Int(l))
        }
        self.codeOf = codeOf
        self.labelOf = labelOf
        code = table.label.map { Int32(codeOf[Int($0)]) }
        offsets = table.byTask.offsets
        let k32 = Int32(k)
        taskWorker = table.byTask.entries.map { $0 / k32 }
        taskCode = table.byTask.entries.map { Int32(codeOf[Int($0 % k32)]) }
        let names = table.workers.names
        sortedWorkers = (0..<workers).sorted { LabelSet.scalarOrder(names[$0], names[$1]) }
        self.method = method
        self.alpha = alpha
        self.beta = beta
        self.strategyPrior = strategyPrior
    }

    /// crowd-kit's `_initialize`: `spamming_` (W×2) and `thetas_` (W×K) each drawn from a fresh
    /// `RandomState(seed)` as `uniform(1, 1 + noise)` (so both start with the same numbers), rows
    /// normalised by their numpy sum.
    static func initialParameters(workers: Int, labels: Int, noise: Double, seed: UInt32) -> Parameters {
        var s = NumpyRandomState.uniformDraws(count: 2 * workers, loc: 1, scale: 1 + noise, seed: seed)
        var t = NumpyRandomState.uniformDraws(count: workers * labels, loc: 1, scale: 1 + noise, seed: seed)
        normaliseRows(&s, columns: 2)
        normaliseRows(&t, columns: labels)
        return Parameters(spamming: s, thetas: t)
    }

    /// `x / x.sum(axis=1, keepdims=True)` on a C-ordered array (numpy's pairwise sum per row).
    private static func normaliseRows(_ x: inout [Double], columns: Int) {
        guard columns > 0 else { return }
        x.withUnsafeMutableBufferPointer { x in
            for r in 0..<(x.count / columns) {
                let row = x.baseAddress! + r * columns
                let s = numpySum(UnsafeBufferPointer(start: row, count: columns))
                for c in 0..<columns { row[c] /= s }
            }
        }
    }

    /// The result of crowd-kit's `fit` (one restart: crowd-kit's restarts are all this one).
    struct Fit {
        let parameters: Parameters
        /// crowd-kit's `log_marginal_likelihood` of the last E-step: `Σ_t ln(Z_t + 1e-8)`.
        let logLikelihood: Double
        /// `probas_` (tasks × labels by first-appearance code).
        let probabilities: [Double]
        /// `labels_` as a first-appearance code, −1 where the row is all NaN (crowd-kit: NaN).
        let labels: [Int]
    }

    func fit(iterations: Int, noise: Double, seed: UInt32) -> Fit {
        var params = Self.initialParameters(workers: workers, labels: k, noise: noise, seed: seed)
        var g = [Double](repeating: 0, count: tasks * k)
        var z = [Double](repeating: 0, count: tasks)
        var counts = Counts(workers: workers, labels: k)
        var ll = eStep(params, g: &g, z: &z, counts: &counts)
        for _ in 0..<iterations {
            params = mStep(counts)
            ll = eStep(params, g: &g, z: &z, counts: &counts)
        }
        // crowd-kit's final E-step repeats the last one (same parameters), so its G is already here.
        // decode_distribution: G divided by its row sums; idxmax over the columns (first maximum,
        // NaN skipped; an all-NaN row has no label).
        var p = [Double](repeating: 0, count: tasks * k)
        var labels = [Int](repeating: -1, count: tasks)
        for t in 0..<tasks {
            var s = 0.0
            for c in 0..<k { s += g[t * k + c] }
            var best = -1, bestValue = -Double.infinity
            for c in 0..<k {
                let v = g[t * k + c] / s
                p[t * k + c] = v
                if !v.isNaN && (best < 0 || v > bestValue) { best = c; bestValue = v }
            }
            labels[t] = best
        }
        return Fit(parameters: params, logLikelihood: ll, probabilities: p, labels: labels)
    }

    /// The expected counts of an E-step, as pandas sums them: one Kahan-compensated sum per group,
    /// in input order, NaN values skipped (`groupby(...).sum()`). Groups: `[0, W)` spammed
    /// (`knowing_expected_count_0`) and `[W, 2W)` known (`_1`) by worker id, then `2W + w·K + l`
    /// the strategy count of (worker id `w`, ``LabelSet`` id `l`) of `groupby(["worker", "label"])`.
    struct Counts {
        let workers: Int
        let labels: Int
        var sum: [Double]
        var compensation: [Double]

        init(workers: Int, labels: Int) {
            self.workers = workers
            self.labels = labels
            sum = [Double](repeating: 0, count: 2 * workers + workers * labels)
            compensation = sum
        }

        func spammed(_ w: Int) -> Double { sum[w] }
        func known(_ w: Int) -> Double { sum[workers + w] }
        func strategy(_ w: Int, _ l: Int) -> Double { sum[2 * workers + w * labels + l] }

        /// pandas' compensated step (`group_sum`), an infinite value resetting the compensation.
        @inline(__always)
        static func add(_ value: Double, _ sum: UnsafeMutablePointer<Double>, _ compensation: UnsafeMutablePointer<Double>, _ i: Int) {
            guard !value.isNaN else { return }
            let y = value - compensation[i]
            let t = sum[i] + y
            var c = t - sum[i] - y
            if c.isNaN { c = 0 }  // pandas GH#53606
            compensation[i] = c
            sum[i] = t
        }
    }

    /// crowd-kit's `_e_step`: `G` (tasks × label codes), `Z` (row sums), the expected counts;
    /// returns `Σ_t ln(Z_t + 1e-8)` (numpy's pairwise sum over tasks in first-appearance order).
    func eStep(_ p: Parameters, g: inout [Double], z: inout [Double], counts: inout Counts) -> Double {
        let k = self.k
        // b = s0·θ[w, c] and bt = b + s1 for every (worker, label code) position.
        var b = [Double](repeating: 0, count: workers * k), bt = b
        for w in 0..<workers {
            for c in 0..<k {
                let e = w * k + c
                b[e] = p.spamming[2 * w] * p.thetas[e]
                bt[e] = b[e] + p.spamming[2 * w + 1]
            }
        }
        let kd = Double(k)
        var logs = [Double](repeating: 0, count: tasks)
        offsets.withUnsafeBufferPointer { off in
            taskWorker.withUnsafeBufferPointer { tw in
                taskCode.withUnsafeBufferPointer { tc in
                    b.withUnsafeBufferPointer { b in
                        bt.withUnsafeBufferPointer { bt in
                            g.withUnsafeMutableBufferPointer { g in
                                z.withUnsafeMutableBufferPointer { z in
                                    logs.withUnsafeMutableBufferPointer { logs in
                                        for t in 0..<tasks {
                                            // gold_marginal = s0·θ + s1·[c = y]; groupby("task").prod() / K: each
                                            // label's product runs over the task's answers in input order.
                                            let row = g.baseAddress! + t * k
                                            for c in 0..<k { row[c] = 1 }
                                            for j in off[t]..<off[t + 1] {
                                                let y = Int(tc[j]), e = Int(tw[j]) * k + y
                                                let other = b[e]
                                                for c in 0..<k { row[c] *= c == y ? bt[e] : other }
                                            }
                                            var s = 0.0
                                            for c in 0..<k {
                                                row[c] = row[c] / kd
                                                s += row[c]
                                            }
                                            z[t] = s
                                            logs[t] = log(s + 1e-8)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let ll = logs.withUnsafeBufferPointer { numpySum($0) }

        let n = task.count, w0 = workers, s0 = 2 * workers
        counts.sum.withUnsafeMutableBufferPointer { sum in
            counts.compensation.withUnsafeMutableBufferPointer { comp in
                for i in 0..<sum.count { sum[i] = 0; comp[i] = 0 }
                let sum = sum.baseAddress!, comp = comp.baseAddress!
                task.withUnsafeBufferPointer { task in
                    worker.withUnsafeBufferPointer { worker in
                        code.withUnsafeBufferPointer { code in
                            label.withUnsafeBufferPointer { label in
                                g.withUnsafeBufferPointer { g in
                                    z.withUnsafeBufferPointer { z in
                                        b.withUnsafeBufferPointer { b in
                                            bt.withUnsafeBufferPointer { bt in
                                                p.spamming.withUnsafeBufferPointer { spam in
                                                    p.thetas.withUnsafeBufferPointer { theta in
                                                        for i in 0..<n {
                                                            let t = Int(task[i]), w = Int(worker[i]), y = Int(code[i])
                                                            let e = w * k, row = t * k
                                                            // strategy_marginal: Σ_c G[t,c] / (s0θ + s1·[c = y]), then · s0 · θ, then / Z.
                                                            var sm = 0.0
                                                            for c in 0..<k { sm += g[row + c] / (c == y ? bt[e + y] : b[e + y]) }
                                                            sm = sm * spam[2 * w] * theta[e + y]
                                                            sm = sm / z[t]
                                                            // knowing_expected_counts: G[t,y] · s1 / (s0θ + s1) / Z.
                                                            let known = g[row + y] * spam[2 * w + 1] / bt[e + y] / z[t]
                                                            Counts.add(sm, sum, comp, w)
                                                            Counts.add(known, sum, comp, w0 + w)
                                                            Counts.add(sm, sum, comp, s0 + e + Int(label[i]))
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return ll
    }

    /// crowd-kit's `_variational_m_step` / `_m_step`. The strategy counts are a sorted
    /// (worker name, label) table taken positionally: row `i` is the `i`-th worker by name,
    /// column `j` the `j`-th label in sorted order, and the E-step reads that row and column as
    /// worker id `i` and label code `j` (the naming defect).
    func mStep(_ counts: Counts) -> Parameters {
        let k = self.k
        var spamming = [Double](repeating: 0, count: 2 * workers)
        var thetas = [Double](repeating: 0, count: workers * k)
        var x = [Double](repeating: 0, count: k)
        switch method {
        case .variational:
            // exp ψ(x + prior) / exp ψ(Σ(x + prior)), 0 where that norm is within 1e-8 of 0.
            for w in 0..<workers {
                let a0 = counts.spammed(w) + alpha, a1 = counts.known(w) + beta
                let norm = exp(Self.digamma(a0 + a1))
                let ok = !(abs(norm) <= 1e-8)
                spamming[2 * w] = ok ? exp(Self.digamma(a0)) / norm : 0
                spamming[2 * w + 1] = ok ? exp(Self.digamma(a1)) / norm : 0
            }
            for i in 0..<workers {
                let src = sortedWorkers[i]
                for j in 0..<k { x[j] = counts.strategy(src, j) + strategyPrior }
                // (x + prior) is C-ordered here, so numpy sums each row pairwise.
                let norm = exp(Self.digamma(x.withUnsafeBufferPointer { numpySum($0) }))
                let ok = !(abs(norm) <= 1e-8)
                for j in 0..<k { thetas[i * k + j] = ok ? exp(Self.digamma(x[j])) / norm : 0 }
            }
        case .expectationMaximization:
            // (x + s) / Σ(x + s) with s = 0.01 / K; (x + s) keeps pandas' column-major layout,
            // so the row sums run left to right.
            let smoothing = 0.01 / Double(k)
            for w in 0..<workers {
                let a0 = counts.spammed(w) + smoothing, a1 = counts.known(w) + smoothing
                let norm = a0 + a1
                let ok = !(abs(norm) <= 1e-8)
                spamming[2 * w] = ok ? a0 / norm : 0
                spamming[2 * w + 1] = ok ? a1 / norm : 0
            }
            for i in 0..<workers {
                let src = sortedWorkers[i]
                var norm = 0.0
                for j in 0..<k {
                    x[j] = counts.strategy(src, j) + smoothing
                    norm += x[j]
                }
                let ok = !(abs(norm) <= 1e-8)
                for j in 0..<k { thetas[i * k + j] = ok ? x[j] / norm : 0 }
            }
        }
        return Parameters(spamming: spamming, thetas: thetas)
    }

    /// SciPy's `digamma` for x > 0 (Cephes `psi`): ψ(n) as a harmonic sum for integers up to 10;
    /// otherwise the recurrence down into [1, 2] for x < 10 and a rational approximation there,
    /// or the asymptotic series from x ≥ 10.
    static func digamma(_ x0: Double) -> Double {
        guard x0 > 0, x0.isFinite else { return x0 == .infinity ? x0 : .nan }
        var x = x0
        var y = 0.0
        if x <= 10, x == x.rounded(.down) {
            let n = Int(x)
            for i in 1..<max(n, 1) { y += 1.0 / Double(i) }
            return y - 0.577_215_664_901_532_860_606_512_090_082_402_431
        }
        if x < 1 {
            y -= 1 / x
            x += 1
        } else if x < 10 {
            while x > 2 {
                x -= 1
                y += 1 / x
            }
        }
        if x >= 1 && x <= 2 {
            // Rational approximation on [1, 2] around the root of ψ (Boost's coefficients).
            let yConstant = Double(Float(0.99558162689208984))
            let root1 = 1_569_415_565.0 / 1_073_741_824.0
            let root2 = (381_566_830.0 / 1_073_741_824.0) / 1_073_741_824.0
            let root3 = 0.9016312093258695918615325266959189453125e-19
            var gap = x - root1
            gap -= root2
            gap -= root3
            let u = x - 1
            return y + (gap * yConstant + gap * (horner(u, numerator) / horner(u, denominator)))
        }
        // ln x − 1/(2x) − Σ B_2n / (2n x^2n), the series in z = 1/x² (dropped beyond 1e17).
        var tail = 0.0
        if x < 1e17 {
            let z = 1 / (x * x)
            tail = z * horner(z, asymptotic)
        }
        return y + (log(x) - 0.5 / x - tail)
    }

    private static let numerator = [
        -0.0020713321167745952, -0.045251321448739056, -0.28919126444774784,
        -0.65031853770896507, -0.32555031186804491, 0.25479851061131551,
    ]
    private static let denominator = [
        -0.55789841321675513e-6, 0.0021284987017821144, 0.054151797245674225,
        0.43593529692665969, 1.4606242909763515, 2.0767117023730469, 1.0,
    ]
    /// B_2n / 2n in z = 1/x², highest power first.
    private static let asymptotic = [
        8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
        -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
        8.33333333333333333333e-2,
    ]

    /// `c[0]·x^n + … + c[n]`, evaluated as Cephes' `polevl` does.
    @inline(__always)
    private static func horner(_ x: Double, _ c: [Double]) -> Double {
        var r = c[0]
        for i in 1..<c.count { r = r * x + c[i] }
        return r
    }
}
