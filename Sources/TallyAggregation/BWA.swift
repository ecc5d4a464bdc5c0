import CTallyKernels
import Foundation
import TallyCore

/// Bayesian weighted average: per label, a one-vs-rest Gaussian model in which each worker has a
/// precision with a Gamma prior, fitted by mean-field updates.
///
/// Li, Rubinstein & Cohn (2019), *Truth Inference at Scale: A Bayesian Model for Adjudicating
/// Highly Redundant Crowd Annotations*, WWW; the fit is the one of the authors' `code/bwa.py` in
/// `yuan-li/truth-inference-at-scale`. For each label `k` on its own: `y_ij` is 1 when worker `j`
/// gave `k` on task `i`; the start `z_i` is the share of the task's workers who gave `k`; the
/// prior rate is `b = a · Σ_i W_i z_i (1 − z_i) / (number of task-worker pairs) · c`, with `W_i`
/// the task's answer count and `c = 4 (1 − 1/K)` (`priorCorrection`, else 1); then until no `z_i`
/// moves by more than `1e-8 + tolerance · |new|` (numpy's `allclose`), or `maxIterations`:
///
///     μ   = mean_i z_i
///     v_j = (a + N_j) / (b + Σ_{i answered by j} (z_i − y_ij)²)     (N_j: tasks j answered)
///     z_i = (λ μ + Σ_j y_ij v_j) / (λ + Σ_j v_j)
///
/// The `z_ik` of all labels are the model's scores: each is the posterior mean of "task i is of
/// label k" on its own, so a task's scores need not sum to one (they are not normalised, as in
/// the reference). Labels are their argmax (ties to the first label). As in the reference, a
/// worker answering a task twice counts as one task-worker pair (with every label they gave),
/// while `W_i` counts every answer.
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try BWA().fit(answers)                     // a = 15, λ = 1, corrected prior
/// let names = model.labels.map { answers.labels[Int($0)] }
/// let v = model.precisions[0 * answers.labelCount + 1]   // worker 0's precision for label 1
/// print(model.iterations)                                // per label
/// ```
public struct BWA: Aggregator {
    /// Shape of the Gamma prior on every worker precision (the reference's `a_v`).
    public var precisionPriorShape: Double
    /// Weight of the mean `μ` in each task's update, as pseudo-workers (the reference's `lambda_`).
    public var meanWeight: Double
    /// Scale the prior rate by `4 (1 − 1/K)` (the reference's `prior_correction`).
    public var priorCorrection: Bool
    /// At most this many updates per label (the reference: 500).
    public var maxIterations: Int
    /// Relative part of the stopping test, `|old − new| ≤ 1e-8 + tolerance · |new|` (the reference:
    /// `np.allclose(..., rtol=1e-3)`).
    public var tolerance: Double
    /// Worker-range threads for the passes (results do not depend on it).
    public var execution: ExecutionSettings

    /// The absolute part of the stopping test (numpy's `allclose` default).
    public static let absoluteTolerance = 1e-8

    /// BWA with the reference's defaults: `a = 15`, `λ = 1`, corrected prior, at most 500 updates
    /// per label, tolerance 1e-3.
    public init(precisionPriorShape: Double = 15, meanWeight: Double = 1, priorCorrection: Bool = true,
                maxIterations: Int = 500, tolerance: Double = 1e-3, execution: ExecutionSettings = ExecutionSettings()) {
        self.precisionPriorShape = precisionPriorShape
        self.meanWeight = meanWeight
        self.priorCorrection = priorCorrection
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.execution = execution
    }

    /// Fits BWA to `answers`.
    ///
    /// - Throws: ``AggregationError`` for a prior shape or mean weight that is not a positive
    ///   finite number, a negative iteration count or tolerance.
    public func fit(_ answers: AnswerTable) throws -> BWAModel {
        try AggregationError.checkIterations(maxIterations, tolerance: tolerance)
        guard tolerance >= 0 else { throw AggregationError("bwa: the tolerance must be ≥ 0") }
        try AggregationError.checkPositive("bwa", ["precision-prior": precisionPriorShape, "mean-weight": meanWeight])
        try AggregationError.checkNotEmpty(answers, method: "bwa")
        let k = answers.labelCount, tasks = answers.taskCount, workers = answers.workerCount
        let pairs = Pairs(answers)
        let a = precisionPriorShape, lambda = meanWeight
        let correction = priorCorrection ? 4 * (1 - 1 / Double(k)) : 1

        // Start: per task and label, the share of the task's workers who gave the label.
        var z = [Double](repeating: 0, count: tasks * k)
        var weightedVariance = [Double](repeating: 0, count: k)
        for t in 0..<tasks {
            let range = pairs.taskOffsets[t]..<pairs.taskOffsets[t + 1]
            for p in range { for e in pairs.labelOffsets[p]..<pairs.labelOffsets[p + 1] { z[t * k + Int(pairs.labelList[e])] += 1 } }
            let n = Double(range.count), w = Double(answers.byTask.offsets[t + 1] - answers.byTask.offsets[t])
            for c in 0..<k {
                z[t * k + c] /= n
                weightedVariance[c] += w * (z[t * k + c] * (1 - z[t * k + c]))
            }
        }
        let rate = weightedVariance.map { a * $0 / Double(pairs.count) * correction }
        var tasksOfWorker = [Double](repeating: 0, count: workers)
        for p in 0..<pairs.count { tasksOfWorker[Int(pairs.worker[p])] += 1 }

        var precision = [Double](repeating: 0, count: workers * k)
        var residual = [Double](repeating: 0, count: workers * k)
        var next = z
        var iterations = [Int](repeating: 0, count: k)
        var converged = [Bool](repeating: false, count: k)
        // A label no task is divided on has rate 0 and zero residuals: the update is 0/0 and the
        // reference returns NaN. Its shares are already the fixed point (every z is 0 or 1 and
        // agrees with every answer), so they are kept.
        var active = (0..<k).map { rate[$0] > 0 && maxIterations > 0 }
        for c in 0..<k where !(rate[c] > 0) { converged[c] = true }
        var mean = [Double](repeating: 0, count: k)
        // Σ_i z_ik and the residuals of the current z; after the first, each comes from the update
        // pass itself (the same sums in the same order as separate passes would make).
        var sums = [Double](repeating: 0, count: k)
        for t in 0..<tasks { for c in 0..<k { sums[c] += z[t * k + c] } }
        if k <= Int(TALLY_KERNELS_MAX_K) { pairs.residualsC(z: z, k: k, into: &residual) } else { pairs.residuals(z: z, k: k, into: &residual) }

        // The C loops (bwa.c: AVX2 where the CPU has it, the same sums in the same order) up to
        // TALLY_KERNELS_MAX_K labels; the Swift ones beyond.
        let useC = k <= Int(TALLY_KERNELS_MAX_K)
        var activeBytes = [UInt8](repeating: 0, count: k), movedBytes = [UInt8](repeating: 0, count: k)
        while active.contains(true) {
            for c in 0..<k { mean[c] = sums[c] / Double(tasks) }
            var moved: [Bool]
            if useC {
                for c in 0..<k { activeBytes[c] = active[c] ? 1 : 0 }
                tally_bwa_precisions(Int64(workers), Int32(k), a, tasksOfWorker, rate, residual, activeBytes, &precision)
                pairs.updateC(precision: precision, mean: mean, lambda: lambda, k: k, active: activeBytes, z: z, next: &next,
                              residual: &residual, sums: &sums, atol: Self.absoluteTolerance, rtol: tolerance, moved: &movedBytes)
                moved = movedBytes.map { $0 != 0 }
            } else {
                for j in 0..<workers {
                    for c in 0..<k where active[c] {
                        precision[j * k + c] = (a + tasksOfWorker[j]) / (rate[c] + residual[j * k + c])
                    }
                }
                moved = pairs.update(precision: precision, mean: mean, lambda: lambda, k: k, active: active,
                                     z: z, next: &next, residual: &residual, sums: &sums,
                                     atol: Self.absoluteTolerance, rtol: tolerance)
            }
            swap(&z, &next)
            for c in 0..<k where active[c] {
                // Labels that stopped keep their values (the pass copies them).
                iterations[c] += 1
                if !moved[c] { converged[c] = true }
                if !moved[c] || iterations[c] >= maxIterations { active[c] = false }
            }
        }
        let probabilities = ProbabilityMatrix(rows: tasks, columns: k, values: z)
        return BWAModel(labels: probabilities.argmaxFirst(), probabilities: probabilities, precisions: precision,
                        priorRates: rate, iterations: iterations, converged: converged)
    }

    /// The distinct (task, worker) pairs, task-sorted, each with the labels the worker gave.
    struct Pairs {
        var taskOffsets: [Int] = [0]
        var worker: [Int32] = []
        var labelOffsets: [Int] = [0]
        var labelList: [Int32] = []
        var count: Int { worker.count }

        init(_ answers: AnswerTable) {
            let csr = answers.byTask, k = answers.labelCount
            worker.reserveCapacity(csr.entries.count)
            labelList.reserveCapacity(csr.entries.count)
            let repeats = answers.duplicates.pairs > 0
            if !repeats {
                // Every answer is its own pair: one pass, the fused entry split by a multiply
                // (⌈2⁶⁴/K⌉, exact for entries below 2³²) instead of a division.
                let n = csr.entries.count, divider = k > 1 ? UInt64.max / UInt64(k) + 1 : 0
                worker = [Int32](unsafeUninitializedCapacity: n) { w, count in
                    labelList = [Int32](unsafeUninitializedCapacity: n) { l, lc in
                        csr.entries.withUnsafeBufferPointer { e in
                            for i in 0..<n {
                                let v = UInt64(UInt32(bitPattern: e[i]))
                                let q = k == 1 ? v : v.multipliedFullWidth(by: divider).high
                                w[i] = Int32(truncatingIfNeeded: q)
                                l[i] = Int32(truncatingIfNeeded: v &- q &* UInt64(k))
                            }
                        }
                        lc = n
                    }
                    count = n
                }
                labelOffsets = [Int](unsafeUninitializedCapacity: n + 1) { o, count in
                    for i in 0...n { o[i] = i }
                    count = n + 1
                }
                taskOffsets = csr.offsets
                return
            }
            for t in 0..<csr.rowCount {
                let first = worker.count
                for e in csr.range(of: t) {
                    let w = csr.entries[e] / Int32(k), l = csr.entries[e] % Int32(k)
                    if repeats, let p = worker[first...].firstIndex(of: w) {
                        if !labelList[labelOffsets[p]..<labelOffsets[p + 1]].contains(l) {
                            labelList.insert(l, at: labelOffsets[p + 1])
                            for q in (p + 1)..<labelOffsets.count { labelOffsets[q] += 1 }
                        }
                        continue
                    }
                    worker.append(w)
                    labelList.append(l)
                    labelOffsets.append(labelList.count)
                }
                taskOffsets.append(worker.count)
            }
        }

        /// Whether every pair gave exactly one label (then `labelList[p]` is pair p's label).
        var singleLabel: Bool { labelList.count == worker.count }

        /// ``update(precision:mean:lambda:k:active:z:next:residual:sums:atol:rtol:)`` by the C loop
        /// (`tally_bwa_update`; K ≤ `TALLY_KERNELS_MAX_K`): the same sums in the same order.
        func updateC(precision: [Double], mean: [Double], lambda: Double, k: Int, active: [UInt8], z: [Double],
                     next: inout [Double], residual: inout [Double], sums: inout [Double], atol: Double, rtol: Double,
                     moved: inout [UInt8]) {
            let single = singleLabel, workers = residual.count / k
            taskOffsets.withUnsafeBufferPointer { taskOffsets in
            labelOffsets.withUnsafeBufferPointer { labelOffsets in
                tally_bwa_update(UnsafePointer(OpaquePointer(taskOffsets.baseAddress!)), Int64(taskOffsets.count - 1), worker,
                                 single ? nil : UnsafePointer(OpaquePointer(labelOffsets.baseAddress!)), labelList, Int32(k),
                                 precision, mean, lambda, active, z, &next, &residual, &sums, atol, rtol, &moved, Int64(workers))
            }}
        }

        /// ``residuals(z:k:into:)`` by the C loop (`tally_bwa_residuals`; K ≤ `TALLY_KERNELS_MAX_K`).
        func residualsC(z: [Double], k: Int, into residual: inout [Double]) {
            let single = singleLabel, workers = residual.count / k
            taskOffsets.withUnsafeBufferPointer { taskOffsets in
            labelOffsets.withUnsafeBufferPointer { labelOffsets in
                tally_bwa_residuals(UnsafePointer(OpaquePointer(taskOffsets.baseAddress!)), Int64(taskOffsets.count - 1), worker,
                                    single ? nil : UnsafePointer(OpaquePointer(labelOffsets.baseAddress!)), labelList, Int32(k),
                                    z, &residual, Int64(workers))
            }}
        }

        /// `residual[j, c] = Σ_{pairs of j} (z[t, c] − y[c])²`.
        func residuals(z: [Double], k: Int, into residual: inout [Double]) {
            for i in residual.indices { residual[i] = 0 }
            taskOffsets.withUnsafeBufferPointer { taskOffsets in
            worker.withUnsafeBufferPointer { worker in
            labelOffsets.withUnsafeBufferPointer { labelOffsets in
            labelList.withUnsafeBufferPointer { labelList in
            z.withUnsafeBufferPointer { z in
            residual.withUnsafeMutableBufferPointer { r in
                for t in 0..<(taskOffsets.count - 1) {
                    let zt = z.baseAddress! + t * k
                    for p in taskOffsets[t]..<taskOffsets[t + 1] {
                        Self.addResidual(r.baseAddress! + Int(worker[p]) * k, z: zt, labels: labelList, lo: labelOffsets[p], hi: labelOffsets[p + 1], k: k)
                    }
                }
            }}}}}}
        }

        /// Adds one answer's squared residuals `(z_tc − [c answered])²` to its worker's `row`; `labels[lo..<hi]`
        /// are the labels the answer gave (one, or several for a multi-label answer).
        @inline(__always)
        static func addResidual(_ row: UnsafeMutablePointer<Double>, z zt: UnsafePointer<Double>, labels: UnsafeBufferPointer<Int32>,
                                lo: Int, hi: Int, k: Int) {
            if hi - lo == 1 {
                let l = Int(labels[lo])
                for c in 0..<k {
                    let d = c == l ? zt[c] - 1 : zt[c]
                    row[c] += d * d
                }
            } else {
                for c in 0..<k {
                    var d = zt[c]
                    for e in lo..<hi where Int(labels[e]) == c { d -= 1; break }
                    row[c] += d * d
                }
            }
        }

        /// The new z of the active labels into `next` (the others copied from `z`); per label,
        /// whether any task moved beyond `atol + rtol · |new|`. In the same pass, `residual` and
        /// `sums` are remade for the new z: ``residuals(z:k:into:)`` and Σ_i z_ik, summed in the
        /// same order as those separate passes.
        func update(precision: [Double], mean: [Double], lambda: Double, k: Int, active: [Bool],
                    z: [Double], next: inout [Double], residual: inout [Double], sums: inout [Double],
                    atol: Double, rtol: Double) -> [Bool] {
            var moved = [Bool](repeating: false, count: k)
            let num = UnsafeMutablePointer<Double>.allocate(capacity: k), den = UnsafeMutablePointer<Double>.allocate(capacity: k)
            defer { num.deallocate(); den.deallocate() }
            for i in residual.indices { residual[i] = 0 }
            for c in 0..<k { sums[c] = 0 }
            taskOffsets.withUnsafeBufferPointer { taskOffsets in
            worker.withUnsafeBufferPointer { worker in
            labelOffsets.withUnsafeBufferPointer { labelOffsets in
            labelList.withUnsafeBufferPointer { labelList in
            precision.withUnsafeBufferPointer { v in
            z.withUnsafeBufferPointer { z in
            active.withUnsafeBufferPointer { active in
            sums.withUnsafeMutableBufferPointer { sums in
            residual.withUnsafeMutableBufferPointer { r in
            next.withUnsafeMutableBufferPointer { next in
                for t in 0..<(taskOffsets.count - 1) {
                    for c in 0..<k { num[c] = 0; den[c] = 0 }
                    let pairs = taskOffsets[t]..<taskOffsets[t + 1]
                    for p in pairs {
                        let row = v.baseAddress! + Int(worker[p]) * k
                        for c in 0..<k { den[c] += row[c] }
                        for e in labelOffsets[p]..<labelOffsets[p + 1] { num[Int(labelList[e])] += row[Int(labelList[e])] }
                    }
                    let zt = next.baseAddress! + t * k
                    for c in 0..<k {
                        let old = z[t * k + c]
                        var value = old
                        if active[c] {
                            value = (lambda * mean[c] + num[c]) / (lambda + den[c])
                            if !(abs(old - value) <= atol + rtol * abs(value)) { moved[c] = true }
                        }
                        zt[c] = value
                        sums[c] += value
                    }
                    for p in pairs {
                        Self.addResidual(r.baseAddress! + Int(worker[p]) * k, z: zt, labels: labelList, lo: labelOffsets[p], hi: labelOffsets[p + 1], k: k)
                    }
                }
            }}}}}}}}}}
            return moved
        }
    }
}

/// A fitted ``BWA``: per task and label the posterior mean of the one-vs-rest truth, labels,
/// worker precisions.
public struct BWAModel: FittedModel {
    /// Per task id, the label id of highest score (ties to the first label).
    public let labels: [Int32]
    /// Per task and label, `z_ik`: the posterior mean of "task i is of label k", each label fitted
    /// on its own; a row need not sum to one (as the reference returns them).
    public let probabilities: ProbabilityMatrix
    /// None: BWA's workers are described by ``precisions`` (one per label).
    public var skills: [Double]? { nil }
    /// `precisions[worker · K + label]`: the worker's expected precision `E[v_j]` for that label's
    /// one-vs-rest model, as used in the label's last update (0 before any update, and for a label
    /// no task is divided on, whose prior rate is 0).
    public let precisions: [Double]
    /// Per label, the rate `b` of the Gamma prior on the precisions.
    public let priorRates: [Double]
    /// Per label, the updates run.
    public let iterations: [Int]
    /// Per label, whether the stopping test held before `maxIterations`.
    public let converged: [Bool]
}
