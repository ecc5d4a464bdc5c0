import CTallyKernels
import Foundation
import TallyCore

/// The EM loop shared by ``DawidSkene`` and ``OneCoinDawidSkene``, around sufficient statistics.
///
/// Layout: `K` labels; the task view's fused entry `e = worker * K + label` indexes row `e` of the
/// `(W·K) × K` tables `counts` (expected counts `n[w,y,c]`) and `logConfusion` (`ln e[w,y,c]`).
/// One pass per iteration over the task-sorted answers gathers log-confusion rows into each task's
/// logits, takes the softmax, and scatters the posterior into `counts`; the M-step and the ELBO then
/// work on `counts` alone (`Σ_answers P[t,c] ln e[w,y,c] = Σ_{w,y,c} n[w,y,c] ln e[w,y,c]`).
///
/// No BLAS: the E-step's logits could be a `cblas_dgemm` of a one-hot answers matrix by the
/// log-confusion table, but that matrix is mostly zeros and K columns wide. Only on a fully dense
/// expert panel does the product come close to the sparse gather, and on sparse crowd data it is
/// many times slower, so the engine keeps the fused sparse pass everywhere (timings in
/// `Benchmarks/README.md`).
struct DawidSkeneEngine {
    enum MStep { case full, oneCoin }

    static let eps = 1e-10
    static let logEps = log(1e-10)

    let table: AnswerTable
    let mStep: MStep
    let k: Int
    let tasks: Int
    let rows: Int
    /// `observed[w * K + y]`: worker w gave label y.
    var observed: [Bool]
    /// Per task: the golden label id, or -1.
    var gold: [Int32]
    var unusableGold = 0
    /// Starting posteriors (tasks × K); majority-vote shares when nil.
    var start: [Double]?

    /// Contiguous task ranges of about equal answer counts, one per thread.
    let partitions: [Range<Int>]
    /// Contiguous worker ranges, one per thread, for the M-step and the ELBO.
    let workerPartitions: [Range<Int>]

    /// Whether the general pass runs the C kernel (else the Swift one, used above K = 64).
    var useCKernel = true
    /// Called with each iteration's wall time (``ExecutionSettings/iterationTiming``).
    var iterationTiming: (@Sendable (Int, Double) -> Void)?

    /// - Parameters:
    ///   - threads: at most this many task ranges; a range gets at least `minimumAnswersPerThread`.
    init(_ table: AnswerTable, mStep: MStep, threads: Int = ExecutionSettings.defaultThreads, minimumAnswersPerThread: Int = 100_000) {
        self.table = table
        self.mStep = mStep
        k = table.labelCount
        tasks = table.taskCount
        rows = table.workerCount * k
        var observed = [Bool](repeating: false, count: rows)
        for e in table.byTask.entries { observed[Int(e)] = true }
        self.observed = observed
        gold = []
        let partitions = Self.split(table.byTask, into: max(1, min(threads, table.answerCount / max(1, minimumAnswersPerThread) + 1)))
        self.partitions = partitions
        workerPartitions = balancedRows(table.workerCount, count: partitions.count)
    }

    /// An engine for `table` that runs as `execution` says (threads, C or Swift kernel, timing).
    init(_ table: AnswerTable, mStep: MStep, execution: ExecutionSettings) {
        self.init(table, mStep: mStep, threads: execution.threads)
        useCKernel = execution.cKernels
        iterationTiming = execution.iterationTiming
    }

    static func split(_ view: CSRView, into parts: Int) -> [Range<Int>] {
        let total = view.offsets.last ?? 0
        var ranges: [Range<Int>] = []
        var start = 0
        for part in 1...parts {
            let target = total * part / parts
            var end = start
            while end < view.rowCount && (part == parts || view.offsets[end] < target) { end += 1 }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    mutating func clampGold(_ labelOfTask: [Int32]) {
        gold = labelOfTask.map { $0 >= 0 ? $0 : -1 }
        unusableGold = labelOfTask.filter { $0 == GoldLabels.Alignment.unknownLabel }.count
    }

    mutating func run(
        maxIterations: Int, tolerance: Double, em: DawidSkene.EM, initial: InitialConfusions?,
        progress: (@Sendable (Int, Double) -> Void)?
    ) throws -> DawidSkeneModel {
        let n = Double(table.answerCount)
        // Initialisation: majority-vote shares, golden rows one-hot, prior = plain mean.
        var p = start ?? VoteKernels.shares(table, weights: nil).probabilities.values
        applyGold(&p)
        var prior = columnMeans(p)
        var counts = scatter(p)
        var mask = observed
        if let initial { try apply(initial, to: &counts, mask: &mask) }
        var confusion = [Double](repeating: 0, count: rows * k)
        var logConfusion = [Double](repeating: 0, count: rows * k)
        var skills = maximise(counts, mask: mask, confusion: &confusion, logConfusion: &logConfusion)
        // Count tables of the second and later task ranges (the first scatters into `counts`),
        // allocated once: fresh tables every iteration cost page faults.
        let slots = PassSlots(count: partitions.count, tableSize: rows * k, k: k)
        defer { slots.deallocate() }

        var history: [Double] = []
        var previous = -Double.infinity
        var hard = em == .hard
        var firstHard: Int? = em == .hard ? 1 : nil
        var iterationStart = ContinuousClock.now
        for iteration in 0..<maxIterations {
            let logPrior = prior.map { log(max($0, Self.eps)) }
            let (priorSum, entropyTerm) = k == 2
                ? passBinary(logPrior: logPrior, logConfusion: logConfusion, posteriors: &p, counts: &counts, hard: hard, slots: slots)
                : pass(logPrior: logPrior, logConfusion: logConfusion, posteriors: &p, counts: &counts, hard: hard, slots: slots)
            let newPrior = priorSum.map { $0 / Double(tasks) }
            if em == .hybrid && !hard {
                let change = zip(newPrior, prior).reduce(0) { $0 + abs($1.0 - $1.1) }
                if change <= 0.005 {
                    hard = true
                    firstHard = iteration + 2  // the next E-step is the first hard one
                }
            }
            prior = newPrior
            skills = maximise(counts, mask: observed, confusion: &confusion, logConfusion: &logConfusion)
            let loss = elbo(counts: counts, logConfusion: logConfusion, prior: prior, entropyTerm: entropyTerm) / n
            history.append(loss)
            progress?(iteration + 1, loss)
            if let iterationTiming {
                let d = ContinuousClock.now - iterationStart
                iterationTiming(iteration + 1, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
                iterationStart = .now
            }
            // The switch to hard EM drops the entropy from the ELBO, so the loss falls once; the
            // stopping rule starts afresh from the first hard iteration.
            if em == .hybrid && firstHard == iteration + 1 {
                previous = loss
                continue
            }
            if loss - previous < tolerance { break }
            previous = loss
        }
        if !history.isEmpty {
            // crowd-kit floors posteriors and priors at 1e-10 in place while computing the ELBO.
            for i in p.indices where p[i] < Self.eps { p[i] = Self.eps }
            for c in prior.indices where prior[c] < Self.eps { prior[c] = Self.eps }
        }
        let probabilities = ProbabilityMatrix(rows: tasks, columns: k, values: p)
        return DawidSkeneModel(
            labels: probabilities.argmaxFirst(), probabilities: probabilities, priors: prior,
            confusions: ConfusionMatrices(workerCount: table.workerCount, labelCount: k, values: confusion, observed: observed),
            lossHistory: history, skills: skills, unusableGoldTasks: unusableGold, firstHardIteration: firstHard)
    }

    // MARK: - Passes

    private func applyGold(_ p: inout [Double]) {
        guard !gold.isEmpty else { return }
        for t in 0..<tasks where gold[t] >= 0 {
            for c in 0..<k { p[t * k + c] = 0 }
            p[t * k + Int(gold[t])] = 1
        }
    }

    private func columnMeans(_ p: [Double]) -> [Double] {
        var sum = [Double](repeating: 0, count: k)
        for t in 0..<tasks { for c in 0..<k { sum[c] += p[t * k + c] } }
        return sum.map { $0 / Double(tasks) }
    }

    /// `counts[e, c] = Σ P[t, c]` over answers with fused entry `e`.
    private func scatter(_ p: [Double]) -> [Double] {
        var counts = [Double](repeating: 0, count: rows * k)
        let view = table.byTask
        let k = self.k
        view.offsets.withUnsafeBufferPointer { offsets in
            view.entries.withUnsafeBufferPointer { entries in
                p.withUnsafeBufferPointer { p in
                    counts.withUnsafeMutableBufferPointer { counts in
                        for t in 0..<tasks {
                            for i in offsets[t]..<offsets[t + 1] {
                                let base = Int(entries[i]) * k
                                for c in 0..<k { counts[base + c] += p[t * k + c] }
                            }
                        }
                    }
                }
            }
        }
        return counts
    }

    /// One E-step fused with the next M-step's scatter, for any number of labels.
    ///
    /// Per task: gather-add each answer's log-confusion row (K contiguous numbers) into the
    /// logits, softmax with an inlined `exp` (no libm call; flushed to 0 below e^-69), one `log`
    /// for the entropy term (`Σ_c P ln P = Σ_c P (l_c − m) − ln S`, with crowd-kit's 1e-10 clip),
    /// then scatter-add the posterior into each answer's count row. Tasks are split over threads
    /// like the binary pass, each scattering into its own count table.
    ///
    /// The pass normally runs in C (`CTallyKernels`, `kernels.c`): an AVX2+FMA variant chosen at
    /// run time, with one copy per K from 3 to 16 (logits in registers, four-lane exp, max, entropy
    /// and scatter) and software prefetch of the rows six tasks ahead. The count tables of the
    /// second thread live for the whole run (fresh tables every iteration cost page faults), the
    /// first thread scatters into the engine's own table, and the reduction, M-step and ELBO run on
    /// both threads over worker ranges. This Swift version stays as the reference
    /// (`TALLY_SWIFT_KERNEL=1`). The measurements behind these choices are in `Benchmarks/README.md`.
    ///
    /// - Returns: the column sums of the posteriors (for the prior) and `Σ_t Σ_c P' ln P'` with
    ///   `P' = max(P, 1e-10)` (the ELBO's entropy term, as crowd-kit clips it).
    private func pass(
        logPrior: [Double], logConfusion: [Double], posteriors: inout [Double], counts: inout [Double], hard: Bool,
        slots: PassSlots
    ) -> (priorSum: [Double], entropyTerm: Double) {
        let k = self.k
        let parts = partitions
        let view = table.byTask
        let gold = self.gold
        var priorSum = [Double](repeating: 0, count: k)
        var entropyTerm = 0.0
        view.offsets.withUnsafeBufferPointer { offsets in
            view.entries.withUnsafeBufferPointer { entries in
                logConfusion.withUnsafeBufferPointer { logE in
                    posteriors.withUnsafeMutableBufferPointer { p in
                        gold.withUnsafeBufferPointer { gold in
                            counts.withUnsafeMutableBufferPointer { counts in
                                let shared = SharedPointers(offsets: offsets, entries: entries, d: logE, p: p, gold: gold)
                                let first = SendableBuffer(counts)
                                let useC = useCKernel && k <= Int(TALLY_KERNELS_MAX_K)
                                parallelFor(parts.count) { part in
                                    // The first range scatters straight into `counts`, the others into their slots.
                                    let target = part == 0 ? first.buffer : slots.counts[part]
                                    target.update(repeating: 0)
                                    slots.priorSums[part].update(repeating: 0)
                                    if useC {
                                        slots.entropy[part] = logPrior.withUnsafeBufferPointer { prior in
                                            tally_ds_general_range(
                                                UnsafePointer(OpaquePointer(shared.offsets.baseAddress!)), shared.entries.baseAddress!,
                                                shared.d.baseAddress!, prior.baseAddress!, shared.gold.isEmpty ? nil : shared.gold.baseAddress!,
                                                shared.p.baseAddress!, target.baseAddress!, slots.priorSums[part].baseAddress!,
                                                Int64(parts[part].lowerBound), Int64(parts[part].upperBound), Int32(k), hard ? 1 : 0)
                                        }
                                    } else {
                                        slots.entropy[part] = Self.generalRange(
                                            parts[part], shared, k: k, logPrior: logPrior, hard: hard,
                                            counts: target, priorSum: slots.priorSums[part])
                                    }
                                }
                                slots.addSlots(into: first)
                                for part in 0..<parts.count {
                                    for j in 0..<k { priorSum[j] += slots.priorSums[part][j] }
                                    entropyTerm += slots.entropy[part]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (priorSum, entropyTerm)
    }

    /// The general pass over one range of tasks (see ``pass(logPrior:logConfusion:posteriors:counts:hard:)``).
    private static func generalRange(
        _ range: Range<Int>, _ s: SharedPointers, k: Int, logPrior: [Double], hard: Bool,
        counts: UnsafeMutableBufferPointer<Double>, priorSum: UnsafeMutableBufferPointer<Double>
    ) -> Double {
        counts.update(repeating: 0)
        priorSum.update(repeating: 0)
        let l = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
        defer { l.deallocate() }
        let hasGold = !s.gold.isEmpty
        let epsTerm = eps * logEps
        var entropy = 0.0
        let logE = s.d
        // The tables are W·K·K numbers (8 MB at 10 k workers and K = 10): rows are fetched from
        // L3 or memory. Touching a block's rows first lets those misses overlap (the interner's
        // trick); the pass then finds them in L1/L2.
        var sink = 0.0
        var blockEnd = range.lowerBound
        for t in range {
            if t == blockEnd {
                blockEnd = min(t + 32, range.upperBound)
                for i in s.offsets[t]..<s.offsets[blockEnd] {
                    let base = Int(s.entries[i]) * k
                    sink += logE[base] + logE[base + k - 1] + counts[base] + counts[base + k - 1]
                }
            }
            let lo = s.offsets[t], hi = s.offsets[t + 1]
            let row = t * k
            if hasGold && s.gold[t] >= 0 {
                for c in 0..<k { s.p[row + c] = 0 }
                s.p[row + Int(s.gold[t])] = 1
                entropy += Double(k - 1) * epsTerm
            } else {
                for c in 0..<k { l[c] = logPrior[c] }
                for i in lo..<hi {
                    let base = Int(s.entries[i]) * k
                    for c in 0..<k { l[c] += logE[base + c] }
                }
                var m = -Double.infinity
                for c in 0..<k where l[c] > m { m = l[c] }
                var sum = 0.0
                for c in 0..<k {
                    l[c] -= m
                    let x = expNonPositive(l[c])
                    s.p[row + c] = x
                    sum += x
                }
                let inverse = 1 / sum
                for c in 0..<k { s.p[row + c] *= inverse }
                if hard {
                    var best = 0
                    for c in 1..<k where s.p[row + c] > s.p[row + best] { best = c }
                    for c in 0..<k { s.p[row + c] = c == best ? 1 : 0 }
                    entropy += Double(k - 1) * epsTerm
                } else {
                    let logSum = log(sum)
                    for c in 0..<k {
                        let x = s.p[row + c]
                        entropy += x >= eps ? x * (l[c] - logSum) : epsTerm
                    }
                }
            }
            for c in 0..<k { priorSum[c] += s.p[row + c] }
            for i in lo..<hi {
                let base = Int(s.entries[i]) * k
                for c in 0..<k { counts[base + c] += s.p[row + c] }
            }
        }
        // `sink` is finite (log-probabilities and counts); the test keeps the touching loads.
        return sink.isNaN ? .nan : entropy
    }

    /// `e^x` for `x ≤ 0`, inlined; 0 below −69 (so no subnormals: see `binaryRange`).
    ///
    /// Range reduction `x = k ln 2 + r` (Cody-Waite split of ln 2, rounding by the 1.5·2^52 trick
    /// so no libm call is left), a degree-12 Taylor polynomial for `e^r` (`|r| ≤ ln2/2`, truncation
    /// below 2e-16), and `2^k` from exponent bits. Relative error 4.7e-16 at most against glibc's
    /// `exp` on 10⁷ points of [−69, 0] (measured).
    @inline(__always)
    static func expNonPositive(_ x: Double) -> Double {
        if x < -69 { return 0 }
        let shifter = 6755399441055744.0  // 1.5 · 2^52
        let k = (x * 1.4426950408889634 + shifter) - shifter
        let r = (x - k * 0.6931471803691238) - k * 1.9082149292705877e-10
        var q = 1.0 / 479001600.0
        q = q * r + 1.0 / 39916800.0
        q = q * r + 1.0 / 3628800.0
        q = q * r + 1.0 / 362880.0
        q = q * r + 1.0 / 40320.0
        q = q * r + 1.0 / 5040.0
        q = q * r + 1.0 / 720.0
        q = q * r + 1.0 / 120.0
        q = q * r + 1.0 / 24.0
        q = q * r + 1.0 / 6.0
        q = q * r + 0.5
        q = q * r + 1.0
        q = q * r + 1.0
        return q * Double(bitPattern: UInt64(Int64(k) + 1023) << 52)
    }

    /// The E-step and scatter for two labels, in log-odds form.
    ///
    /// Each answer adds one precomputed `ln e[w,y,1] − ln e[w,y,0]` to the task's log-odds; the
    /// posterior pair is scattered into the answer's two adjacent count cells (one cache line).
    /// Both probabilities are computed directly (`1/(1+z)` and `z/(1+z)` with `z = e^{−|δ|}`), never
    /// as `1 − p`, so a tiny posterior keeps its relative precision — the next M-step takes its log.
    ///
    /// The entropy term needs `ln(1+z)` per task; instead of a `log1p` per task (a measurable cost
    /// at a million tasks) the factors `1+z ∈ (1, 2]` are multiplied in blocks of 512
    /// (at most 2^512, far from overflow) and one `log` is taken per block: relative error about
    /// 512 ulp per block, i.e. ~1e-13 absolute per block in the ELBO — after division by N far
    /// below the 1e-9 loss tolerance.
    ///
    /// Tasks are split into `threads` contiguous ranges of about equal answer counts; each range
    /// scatters into its own count buffer, summed at the end.
    private func passBinary(
        logPrior: [Double], logConfusion: [Double], posteriors: inout [Double], counts: inout [Double], hard: Bool,
        slots: PassSlots
    ) -> (priorSum: [Double], entropyTerm: Double) {
        var logOdds = [Double](repeating: 0, count: rows)
        for r in 0..<rows where observed[r] { logOdds[r] = logConfusion[2 * r + 1] - logConfusion[2 * r] }
        let priorOdds = logPrior[1] - logPrior[0]
        let parts = partitions
        let results = UnsafeMutableBufferPointer<(sum0: Double, sum1: Double, entropy: Double)>.allocate(capacity: parts.count)
        defer { results.deallocate() }
        let out = SendableBuffer(results)
        let view = table.byTask
        let gold = self.gold
        view.offsets.withUnsafeBufferPointer { offsets in
            view.entries.withUnsafeBufferPointer { entries in
                logOdds.withUnsafeBufferPointer { d in
                    posteriors.withUnsafeMutableBufferPointer { p in
                        gold.withUnsafeBufferPointer { gold in
                            counts.withUnsafeMutableBufferPointer { counts in
                                let shared = SharedPointers(offsets: offsets, entries: entries, d: d, p: p, gold: gold)
                                let first = SendableBuffer(counts)
                                parallelFor(parts.count) { part in
                                    // The first range scatters straight into `counts`, the others into their slots.
                                    let target = part == 0 ? first.buffer : slots.counts[part]
                                    out.buffer[part] = Self.binaryRange(parts[part], shared, priorOdds: priorOdds, hard: hard, counts: target)
                                }
                                slots.addSlots(into: first)
                            }
                        }
                    }
                }
            }
        }
        let sum0 = results.reduce(0) { $0 + $1.sum0 }, sum1 = results.reduce(0) { $0 + $1.sum1 }
        return ([sum0, sum1], results.reduce(0) { $0 + $1.entropy })
    }

    /// The binary pass over one range of tasks, scattering into `counts` (zeroed here).
    private static func binaryRange(
        _ range: Range<Int>, _ s: SharedPointers, priorOdds: Double, hard: Bool, counts n: UnsafeMutableBufferPointer<Double>
    ) -> (sum0: Double, sum1: Double, entropy: Double) {
        n.update(repeating: 0)
        let hasGold = !s.gold.isEmpty
        let epsTerm = eps * logEps
        var sum0 = 0.0, sum1 = 0.0
        var entropy = 0.0
        var product = 1.0, inBlock = 0
        for t in range {
            let lo = s.offsets[t], hi = s.offsets[t + 1]
            var p0: Double, p1: Double
            if hasGold && s.gold[t] >= 0 {
                p1 = s.gold[t] == 1 ? 1 : 0
                p0 = 1 - p1
                entropy += epsTerm
            } else {
                // Four partial sums break the chain of dependent additions (4 cycles each),
                // which bounded the pass at ~40 cycles per 10-answer task.
                var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
                var i = lo
                while i + 4 <= hi {
                    a0 += s.d[Int(s.entries[i])]
                    a1 += s.d[Int(s.entries[i + 1])]
                    a2 += s.d[Int(s.entries[i + 2])]
                    a3 += s.d[Int(s.entries[i + 3])]
                    i += 4
                }
                while i < hi { a0 += s.d[Int(s.entries[i])]; i += 1 }
                let delta = priorOdds + ((a0 + a1) + (a2 + a3))
                if hard {
                    // Ties go to the first label.
                    p1 = delta > 0 ? 1 : 0
                    p0 = 1 - p1
                    entropy += epsTerm
                } else {
                    // z = e^{-|δ|}; the likelier label has 1/(1+z), the other z/(1+z).
                    // Σ_c P ln P = −ln(1+z) − low·|δ| (low clipped at 1e-10 as crowd-kit does).
                    let a = abs(delta)
                    // Below e^-69 ≈ 1e-30 the smaller posterior is flushed to 0: left alone it
                    // becomes subnormal as EM converges, and subnormal arithmetic made late
                    // iterations 5× slower (measured). A count loses at most N·1e-30 ≪ the 1e-10 clip.
                    let z = a < 69 ? exp(-a) : 0
                    let high = 1 / (1 + z), low = z * high
                    (p0, p1) = delta > 0 ? (low, high) : (high, low)
                    product *= 1 + z
                    inBlock += 1
                    if inBlock == 512 {
                        entropy -= log(product)
                        product = 1
                        inBlock = 0
                    }
                    entropy += low >= eps ? -low * a : epsTerm
                }
            }
            s.p[2 * t] = p0
            s.p[2 * t + 1] = p1
            sum0 += p0
            sum1 += p1
            for i in lo..<hi {
                let e = 2 * Int(s.entries[i])
                n[e] += p0
                n[e + 1] += p1
            }
        }
        entropy -= log(product)
        return (sum0, sum1, entropy)
    }

    // MARK: - M-step and ELBO

    /// Confusion matrices from expected counts over the `mask`ed (worker, label) rows, written into
    /// `confusion` with their logs (−∞ for 0) into `logConfusion`; rows outside the mask get 0.
    /// Workers are split into ranges, one per thread. Returns one-coin skills.
    private func maximise(_ counts: [Double], mask: [Bool], confusion: inout [Double], logConfusion: inout [Double]) -> [Double]? {
        let workers = table.workerCount
        let k = self.k
        let eps = Self.eps
        let parts = workerPartitions
        var skills = [Double](repeating: 0, count: mStep == .oneCoin ? workers : 0)
        let answersOf = table.byWorker.offsets
        counts.withUnsafeBufferPointer { counts in
            mask.withUnsafeBufferPointer { mask in
                confusion.withUnsafeMutableBufferPointer { e in
                    logConfusion.withUnsafeMutableBufferPointer { logE in
                        skills.withUnsafeMutableBufferPointer { skillBuffer in
                            let out = SendableBuffer(e), logOut = SendableBuffer(logE), skillOut = SendableBuffer(skillBuffer)
                            let countsIn = SendableReadBuffer(counts), maskIn = SendableReadBuffer(mask)
                            let mStep = self.mStep
                            parallelFor(parts.count) { part in
                                let counts = countsIn.buffer, mask = maskIn.buffer, e = out.buffer, logE = logOut.buffer
                                for w in parts[part] {
                                    switch mStep {
                                    case .full:
                                        for c in 0..<k {
                                            var total = 0.0
                                            for y in 0..<k where mask[w * k + y] { total += max(counts[(w * k + y) * k + c], eps) }
                                            for y in 0..<k {
                                                let i = (w * k + y) * k + c
                                                e[i] = mask[w * k + y] ? max(counts[i], eps) / total : 0
                                            }
                                        }
                                    case .oneCoin:
                                        var right = 0.0
                                        for y in 0..<k where mask[w * k + y] { right += counts[(w * k + y) * k + y] }
                                        let s = right / Double(answersOf[w + 1] - answersOf[w])
                                        skillOut.buffer[w] = s
                                        let wrong = k > 1 ? (1 - s) / Double(k - 1) : 0
                                        for y in 0..<k {
                                            for c in 0..<k {
                                                e[(w * k + y) * k + c] = mask[w * k + y] ? min(max(y == c ? s : wrong, eps), 1 - eps) : 0
                                            }
                                        }
                                    }
                                    for i in (w * k * k)..<((w + 1) * k * k) { logE[i] = e[i] > 0 ? log(e[i]) : -Double.infinity }
                                }
                            }
                        }
                    }
                }
            }
        }
        return mStep == .oneCoin ? skills : nil
    }

    /// `Σ_{w,y,c} n ln e + Σ_c (Σ_{w,y} n[w,y,c]) ln max(p_c, 1e-10) − Σ P' ln P'`, each thread a
    /// range of workers.
    private func elbo(counts: [Double], logConfusion: [Double], prior: [Double], entropyTerm: Double) -> Double {
        let k = self.k
        let parts = workerPartitions
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: parts.count * (k + 1))
        defer { partials.deallocate() }
        let slot = SendableBuffer(partials)
        counts.withUnsafeBufferPointer { counts in
            logConfusion.withUnsafeBufferPointer { logE in
                observed.withUnsafeBufferPointer { observed in
                    let countsIn = SendableReadBuffer(counts), observedIn = SendableReadBuffer(observed)
                    let logs = SendableReadBuffer(logE)
                    parallelFor(parts.count) { part in
                        let counts = countsIn.buffer, observed = observedIn.buffer, logE = logs.buffer
                        var joint = 0.0
                        var column = [Double](repeating: 0, count: k)
                        for r in (parts[part].lowerBound * k)..<(parts[part].upperBound * k) where observed[r] {
                            for c in 0..<k {
                                let n = counts[r * k + c]
                                column[c] += n
                                if n != 0 { joint += n * logE[r * k + c] }
                            }
                        }
                        let out = slot.buffer
                        out[part * (k + 1)] = joint
                        for c in 0..<k { out[part * (k + 1) + 1 + c] = column[c] }
                    }
                }
            }
        }
        var joint = 0.0
        var column = [Double](repeating: 0, count: k)
        for part in 0..<parts.count {
            joint += partials[part * (k + 1)]
            for c in 0..<k { column[c] += partials[part * (k + 1) + 1 + c] }
        }
        for c in 0..<k { joint += column[c] * log(max(prior[c], Self.eps)) }
        return joint - entropyTerm
    }

    /// Applies crowd-kit's `initial_error` to the first M-step.
    private func apply(_ initial: InitialConfusions, to counts: inout [Double], mask: inout [Bool]) throws {
        var given = [Double](repeating: 0, count: rows * k)
        var present = [Bool](repeating: false, count: rows)
        for entry in initial.entries {
            guard let w = table.workers.lookup(entry.worker), let y = table.labels.index(of: entry.answer),
                let c = table.labels.index(of: entry.truth)
            else { continue }
            let r = Int(w) * k + y
            given[r * k + c] = entry.value
            present[r] = true
        }
        switch initial.strategy {
        case .addition:
            for r in 0..<rows where present[r] {
                mask[r] = true
                for c in 0..<k { counts[r * k + c] += given[r * k + c] }
            }
        case .assign:
            let missing = (0..<rows).filter { observed[$0] && !present[$0] }
            if let first = missing.first {
                let workers = Set(missing.map { $0 / k }).count
                throw AggregationError("the initial confusion matrices must cover every worker and label in the answers (assign strategy): \(workers) workers lack rows, first '\(table.workers.name(Int32(first / k)))' for label '\(table.labels[first % k])'")
            }
            if given.allSatisfy({ $0 <= 1 }) {
                for w in 0..<table.workerCount {
                    for c in 0..<k {
                        var total = 0.0
                        var any = false
                        for y in 0..<k where present[w * k + y] { total += given[(w * k + y) * k + c]; any = true }
                        if any && abs(total - 1) > 1e-8 + 1e-5 {
                            throw AggregationError("worker '\(table.workers.name(Int32(w)))': the initial confusion column for true label '\(table.labels[c])' sums to \(total), not 1 (values at most 1 are read as probabilities)")
                        }
                    }
                }
            }
            mask = present
            counts = given
        }
    }
}

/// Raw views of the engine's arrays, handed to worker threads (each writes disjoint task rows of
/// `p`; everything else is read-only during a pass).
struct SharedPointers: @unchecked Sendable {
    let offsets: UnsafeBufferPointer<Int>
    let entries: UnsafeBufferPointer<Int32>
    let d: UnsafeBufferPointer<Double>
    let p: UnsafeMutableBufferPointer<Double>
    let gold: UnsafeBufferPointer<Int32>
}

/// Per-thread count tables, prior sums and entropy terms of the general pass. Slot 0 has no count
/// table (the first task range scatters into the engine's own); the tables live for a whole run.
final class PassSlots: @unchecked Sendable {
    let counts: [UnsafeMutableBufferPointer<Double>]
    let priorSums: [UnsafeMutableBufferPointer<Double>]
    let entropy: UnsafeMutableBufferPointer<Double>

    init(count: Int, tableSize: Int, k: Int) {
        counts = (0..<count).map { $0 == 0 ? UnsafeMutableBufferPointer(start: nil, count: 0) : .allocate(capacity: tableSize) }
        priorSums = (0..<count).map { _ in .allocate(capacity: k) }
        entropy = .allocate(capacity: count)
        entropy.initialize(repeating: 0)
    }

    /// Adds the count tables of slots 1... into `target` (slot 0's table), each thread a block of rows.
    func addSlots(into target: SendableBuffer<Double>) {
        let parts = counts.count
        guard parts > 1 else { return }
        let blocks = balancedRows(target.buffer.count, count: parts)
        parallelFor(blocks.count) { block in
            let c = target.buffer
            for part in 1..<parts {
                let src = self.counts[part]
                for i in blocks[block] { c[i] += src[i] }
            }
        }
    }

    func deallocate() {
        for c in counts where c.baseAddress != nil { c.deallocate() }
        for p in priorSums { p.deallocate() }
        entropy.deallocate()
    }
}
