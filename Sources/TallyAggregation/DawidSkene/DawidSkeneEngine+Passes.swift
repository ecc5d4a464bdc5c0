import CTallyKernels
import Foundation
import TallyCore

extension DawidSkeneEngine {
    // MARK: - Passes

    func applyGold(_ p: inout [Double]) {
        guard !gold.isEmpty else { return }
        for t in 0..<tasks where gold[t] >= 0 {
            for c in 0..<k { p[t * k + c] = 0 }
            p[t * k + Int(gold[t])] = 1
        }
    }

    func columnMeans(_ p: [Double]) -> [Double] {
        var sum = [Double](repeating: 0, count: k)
        p.withUnsafeBufferPointer { p in
            for t in 0..<tasks { for c in 0..<k { sum[c] += p[t * k + c] } }
        }
        return sum.map { $0 / Double(tasks) }
    }

    /// Majority-vote shares of every task over `table.byTask` (the starting posteriors): the
    /// C kernel `tally_ds_vote_shares`, the same bits as ``VoteKernels/shares(_:weights:)``.
    func voteShares() -> [Double] {
        let view = table.byTask
        let k = self.k
        return [Double](unsafeUninitializedCapacity: tasks * k) { out, count in
            view.offsets.withUnsafeBufferPointer { offsets in
                view.entries.withUnsafeBufferPointer { entries in
                    tally_ds_vote_shares(UnsafePointer(OpaquePointer(offsets.baseAddress)), entries.baseAddress,
                                         Int64(tasks), Int32(k), out.baseAddress)
                }
            }
            count = tasks * k
        }
    }

    /// `counts[e, c] = Σ P[t, c]` over answers with fused entry `e` (task order, then answer order;
    /// the C kernel `tally_ds_scatter_rows`, once per fit).
    func scatter(_ p: [Double]) -> [Double] {
        var counts = [Double](repeating: 0, count: rows * k)
        let k = self.k, tasks = self.tasks
        taskOffsets.withUnsafeBufferPointer { offsets in
            taskEntries.withUnsafeBufferPointer { entries in
                p.withUnsafeBufferPointer { p in
                    counts.withUnsafeMutableBufferPointer { counts in
                        tally_ds_scatter_rows(UnsafePointer(OpaquePointer(offsets.baseAddress)), entries.baseAddress, Int64(tasks),
                                              Int32(k), p.baseAddress, counts.baseAddress)
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
    /// (``ExecutionSettings/cKernels`` false). The measurements behind these choices are in
    /// `Benchmarks/README.md`.
    ///
    /// - Returns: the column sums of the posteriors (for the prior) and `Σ_t Σ_c P' ln P'` with
    ///   `P' = max(P, 1e-10)` (the ELBO's entropy term, as crowd-kit clips it).
    func pass(
        logPrior: [Double], logConfusion: [Double], posteriors: inout [Double], counts: inout [Double], hard: Bool,
        slots: PassSlots
    ) -> (priorSum: [Double], entropyTerm: Double) {
        let k = self.k
        let parts = partitions
        let useC = useCKernel && k <= Int(TALLY_KERNELS_MAX_K)
        scatterInParallel(logConfusion, posteriors: &posteriors, counts: &counts, slots: slots) { part, shared, target in
            Self.generalPart(part, parts[part], shared, k: k, logPrior: logPrior, hard: hard, useC: useC, target: target, slots: slots)
        }
        return slots.combined(k: k)
    }

    /// One thread's share of a general pass (both engines'): task `range` scattered into `target`
    /// (zeroed here), its prior sums and entropy term into slot `part`; the C kernel when `useC`,
    /// else ``generalRange(_:_:k:logPrior:hard:counts:priorSum:)``.
    static func generalPart(_ part: Int, _ range: Range<Int>, _ shared: SharedPointers, k: Int, logPrior: [Double], hard: Bool,
                            useC: Bool, target: UnsafeMutableBufferPointer<Double>, slots: PassSlots) {
        target.update(repeating: 0)
        slots.priorSums[part].update(repeating: 0)
        if useC {
            slots.entropy[part] = logPrior.withUnsafeBufferPointer { prior in
                tally_ds_general_range(
                    UnsafePointer(OpaquePointer(shared.offsets.baseAddress!)), shared.entries.baseAddress!,
                    shared.d.baseAddress!, prior.baseAddress!, shared.gold.isEmpty ? nil : shared.gold.baseAddress!,
                    shared.p.baseAddress!, target.baseAddress!, slots.priorSums[part].baseAddress!,
                    Int64(range.lowerBound), Int64(range.upperBound), Int32(k), hard ? 1 : 0)
            }
        } else {
            slots.entropy[part] = generalRange(range, shared, k: k, logPrior: logPrior, hard: hard, counts: target,
                                               priorSum: slots.priorSums[part])
        }
    }

    /// The general pass over one range of tasks (see ``pass(logPrior:logConfusion:posteriors:counts:hard:)``).
    static func generalRange(
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

    /// `e^x` for `x ≤ 0`, inlined; 0 below −69 (so no subnormals: see `binaryRange`). The one copy:
    /// Dawid-Skene's Swift pass, IBCC, MACE and EBCC's variational loop call it.
    ///
    /// Range reduction `x = k ln 2 + r` (Cody-Waite split of ln 2, rounding by the 1.5·2^52 trick
    /// so no libm call is left), a degree-12 Taylor polynomial for `e^r` (`|r| ≤ ln2/2`, truncation
    /// below 2e-16), and `2^k` from the exponent bits of the rounded value, as the C kernels'
    /// `exp_nonpositive`. Relative error 4.7e-16 at most against glibc's `exp` on [−69, 0]. No
    /// branch but the last select, so a loop over it vectorises.
    @inline(__always)
    static func expNonPositive(_ x: Double) -> Double {
        let shifter = 6_755_399_441_055_744.0  // 1.5 · 2^52
        let xc = Swift.max(x, -70.0)
        let t = xc * 1.4426950408889634 + shifter
        let k = t - shifter
        let r = (xc - k * 0.6931471803691238) - k * 1.9082149292705877e-10
        var q = 1.0 / 479_001_600.0
        q = q * r + 1.0 / 39_916_800.0
        q = q * r + 1.0 / 3_628_800.0
        q = q * r + 1.0 / 362_880.0
        q = q * r + 1.0 / 40320.0
        q = q * r + 1.0 / 5040.0
        q = q * r + 1.0 / 720.0
        q = q * r + 1.0 / 120.0
        q = q * r + 1.0 / 24.0
        q = q * r + 1.0 / 6.0
        q = q * r + 0.5
        q = q * r + 1.0
        q = q * r + 1.0
        let scale = Double(bitPattern: (t.bitPattern &+ 1023) << 52)
        return x < -69.0 ? 0.0 : q * scale
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
    ///
    /// With ``useCKernel`` (the default) the range runs in C (`binary_blocked.c`: the same sums in the
    /// same order as the Swift reference, the inline exp instead of libm's, each posterior pair
    /// scattered as one 16-byte add; tasks in blocks of 32 so their memory accesses overlap, the
    /// posteriors four at a time in AVX2, the entries as 16-bit numbers when `workers × 2 ≤ 65536`
    /// (``PassSlots/narrowEntries``), the posteriors written with streaming stores);
    /// ``binaryRange(_:_:priorOdds:hard:counts:)`` is the Swift reference.
    func passBinary(
        logPrior: [Double], logConfusion: [Double], posteriors: inout [Double], counts: inout [Double], hard: Bool,
        slots: PassSlots
    ) -> (priorSum: [Double], entropyTerm: Double) {
        let logOdds = Self.logOdds(logConfusion, observed: observed)
        let priorOdds = logPrior[1] - logPrior[0]
        let parts = partitions
        let useC = useCKernel
        let narrow = UncheckedSendable(slots.narrowEntries)
        return Self.binaryResults(parts: parts.count) { out in
            scatterInParallel(logOdds, posteriors: &posteriors, counts: &counts, slots: slots) { part, shared, target in
                if useC {
                    target.update(repeating: 0)
                    var r = (0.0, 0.0, 0.0)
                    withUnsafeMutableBytes(of: &r) { raw in
                        let o = raw.baseAddress!.assumingMemoryBound(to: Double.self)
                        let gold = shared.gold.isEmpty ? nil : shared.gold.baseAddress
                        let (lo, hi) = (Int64(parts[part].lowerBound), Int64(parts[part].upperBound))
                        let entries = narrow.value.map { UnsafeRawPointer($0.baseAddress!) } ?? UnsafeRawPointer(shared.entries.baseAddress!)
                        _ = tally_ds_binary_blocked(shared.offsets.baseAddress!, 0, entries, narrow.value == nil ? 0 : 1, shared.d.baseAddress!,
                                                    priorOdds, gold, shared.p.baseAddress!, nil, target.baseAddress!, lo, hi, hard ? 1 : 0, o,
                                                    Int32(TALLY_DS_AUTO))
                    }
                    out.value[part] = (r.0, r.1, r.2)
                } else {
                    out.value[part] = Self.binaryRange(parts[part], shared, priorOdds: priorOdds, hard: hard, counts: target)
                }
            }
        }
    }

    /// The two-label pass's per-entry table: `ln e[w,y,1] − ln e[w,y,0]` for the observed rows, 0
    /// elsewhere (the full and the compact engine's).
    static func logOdds(_ logConfusion: [Double], observed: [Bool]) -> [Double] {
        var logOdds = [Double](repeating: 0, count: observed.count)
        for r in observed.indices where observed[r] { logOdds[r] = logConfusion[2 * r + 1] - logConfusion[2 * r] }
        return logOdds
    }

    /// Runs `body` with one `(sum0, sum1, entropy)` slot per task range (each range's thread fills
    /// its own) and returns their sums in range order: the prior's column sums and the entropy term.
    static func binaryResults(
        parts: Int, _ body: (UncheckedSendable<UnsafeMutableBufferPointer<(sum0: Double, sum1: Double, entropy: Double)>>) -> Void
    ) -> (priorSum: [Double], entropyTerm: Double) {
        let results = UnsafeMutableBufferPointer<(sum0: Double, sum1: Double, entropy: Double)>.allocate(capacity: parts)
        defer { results.deallocate() }
        body(UncheckedSendable(results))
        let sum0 = results.reduce(0) { $0 + $1.sum0 }, sum1 = results.reduce(0) { $0 + $1.sum1 }
        return ([sum0, sum1], results.reduce(0) { $0 + $1.entropy })
    }

    /// The binary pass over one range of tasks, scattering into `counts` (zeroed here).
    static func binaryRange(
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

    /// Runs `body(part, shared, target)` for every task range of ``partitions`` in parallel, over raw
    /// views of the task-sorted answers, `d` (the per-entry table the pass reads), `posteriors` and
    /// the gold labels. The first range scatters straight into `counts`, the others into their
    /// slots, which are then added into `counts`.
    func scatterInParallel(
        _ d: [Double], posteriors: inout [Double], counts: inout [Double], slots: PassSlots,
        _ body: @Sendable (_ part: Int, _ shared: SharedPointers, _ target: UnsafeMutableBufferPointer<Double>) -> Void
    ) {
        let gold = self.gold
        let parts = partitions.count
        taskOffsets.withUnsafeBufferPointer { offsets in
            taskEntries.withUnsafeBufferPointer { entries in
                d.withUnsafeBufferPointer { d in
                    posteriors.withUnsafeMutableBufferPointer { p in
                        gold.withUnsafeBufferPointer { gold in
                            counts.withUnsafeMutableBufferPointer { counts in
                                let shared = SharedPointers(offsets: offsets, entries: entries, d: d, p: p, gold: gold)
                                let first = UncheckedSendable(counts)
                                parallelFor(parts) { part in body(part, shared, part == 0 ? first.value : slots.counts[part]) }
                                slots.addSlots(into: first)
                            }
                        }
                    }
                }
            }
        }
    }
}
