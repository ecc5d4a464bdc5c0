import CTallyKernels
import Foundation
import TallyCore

extension DawidSkeneEngine {
    // MARK: - M-step and ELBO

    /// Confusion matrices from expected counts over the `mask`ed (worker, label) rows, written into
    /// `confusion` with their logs (−∞ for 0) into `logConfusion`; rows outside the mask get 0.
    /// Workers are split into ranges, one per thread. Returns one-coin skills.
    func maximise(_ counts: [Double], mask: [Bool], confusion: inout [Double], logConfusion: inout [Double]) -> [Double]? {
        let workers = table.workerCount
        let k = self.k
        let parts = workerPartitions
        var skills = [Double](repeating: 0, count: mStep == .oneCoin ? workers : 0)
        let answersOf = table.byWorker.offsets
        counts.withUnsafeBufferPointer { counts in
            mask.withUnsafeBufferPointer { mask in
                confusion.withUnsafeMutableBufferPointer { e in
                    logConfusion.withUnsafeMutableBufferPointer { logE in
                        skills.withUnsafeMutableBufferPointer { skillBuffer in
                            let out = UncheckedSendable(e), logOut = UncheckedSendable(logE), skillOut = UncheckedSendable(skillBuffer)
                            let countsIn = UncheckedSendable(counts), maskIn = UncheckedSendable(mask)
                            let mStep = self.mStep, pseudoCounts = self.pseudoCounts
                            parallelFor(parts.count) { part in
                                let counts = countsIn.value, mask = maskIn.value, e = out.value, logE = logOut.value
                                for w in parts[part] {
                                    Self.maximiseWorker(w, mStep: mStep, pseudoCounts: pseudoCounts, k: k, answers: answersOf[w + 1] - answersOf[w],
                                                        counts: counts, mask: mask, e: e, logE: logE, skills: skillOut.value)
                                }
                            }
                        }
                    }
                }
            }
        }
        return mStep == .oneCoin ? skills : nil
    }

    /// The M-step of one worker (see ``maximise(_:mask:confusion:logConfusion:)``): its confusion
    /// columns (or one-coin skill, from its `answers` count) and their logs.
    @inline(__always)
    static func maximiseWorker(_ w: Int, mStep: MStep, pseudoCounts: DawidSkene.PseudoCounts?, k: Int, answers: Int,
                               counts: UnsafeBufferPointer<Double>, mask: UnsafeBufferPointer<Bool>,
                               e: UnsafeMutableBufferPointer<Double>, logE: UnsafeMutableBufferPointer<Double>,
                               skills: UnsafeMutableBufferPointer<Double>) {
        let eps = Self.eps
        switch mStep {
        case .full where pseudoCounts != nil:
            // MAP: pseudo-counts on every label of every row, so a
            // label the worker never gave keeps prior mass.
            let a = pseudoCounts!
            for c in 0..<k {
                var total = 0.0
                for y in 0..<k { total += max(counts[(w * k + y) * k + c] + (y == c ? a.diagonal : a.offDiagonal), eps) }
                for y in 0..<k {
                    let i = (w * k + y) * k + c
                    e[i] = max(counts[i] + (y == c ? a.diagonal : a.offDiagonal), eps) / total
                }
            }
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
            let s = right / Double(answers)
            skills[w] = s
            let wrong = k > 1 ? (1 - s) / Double(k - 1) : 0
            for y in 0..<k {
                for c in 0..<k {
                    e[(w * k + y) * k + c] = mask[w * k + y] ? min(max(y == c ? s : wrong, eps), 1 - eps) : 0
                }
            }
        }
        for i in (w * k * k)..<((w + 1) * k * k) { logE[i] = e[i] > 0 ? log(e[i]) : -Double.infinity }
    }

    /// `Σ_{w,y,c} n ln e + Σ_c (Σ_{w,y} n[w,y,c]) ln max(p_c, 1e-10) − Σ P' ln P'`, each thread a
    /// range of workers.
    func elbo(counts: [Double], logConfusion: [Double], prior: [Double], entropyTerm: Double) -> Double {
        Self.elbo(workerParts: workerPartitions, k: k, counts: counts, logConfusion: logConfusion, observed: observed,
                  prior: prior, entropyTerm: entropyTerm)
    }

    /// ``elbo(counts:logConfusion:prior:entropyTerm:)`` for any engine's tables (``CompactEngine``
    /// calls it too), each thread a range of workers of `workerParts`.
    static func elbo(workerParts parts: [Range<Int>], k: Int, counts: [Double], logConfusion: [Double], observed: [Bool],
                     prior: [Double], entropyTerm: Double) -> Double {
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: parts.count * (k + 1))
        defer { partials.deallocate() }
        let slot = UncheckedSendable(partials)
        counts.withUnsafeBufferPointer { counts in
            logConfusion.withUnsafeBufferPointer { logE in
                observed.withUnsafeBufferPointer { observed in
                    let countsIn = UncheckedSendable(counts), observedIn = UncheckedSendable(observed)
                    let logs = UncheckedSendable(logE)
                    parallelFor(parts.count) { part in
                        let (joint, column) = Self.elboPartial(rows: (parts[part].lowerBound * k)..<(parts[part].upperBound * k), k: k,
                                                               counts: countsIn.value, logE: logs.value, observed: observedIn.value)
                        let out = slot.value
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

    /// `Σ n ln e` and the column sums `Σ n[r, c]` over the observed rows in `rows`: one thread's
    /// share of the ELBO.
    static func elboPartial(rows: Range<Int>, k: Int, counts: UnsafeBufferPointer<Double>, logE: UnsafeBufferPointer<Double>,
                            observed: UnsafeBufferPointer<Bool>) -> (joint: Double, column: [Double]) {
        var joint = 0.0
        var column = [Double](repeating: 0, count: k)
        for r in rows where observed[r] {
            for c in 0..<k {
                let n = counts[r * k + c]
                column[c] += n
                if n != 0 { joint += n * logE[r * k + c] }
            }
        }
        return (joint, column)
    }

    /// The log-prior of the MAP fit, `Σ_{w,y,c} a_yc ln e[w,y,c] + b Σ_c ln π_c` (0 without
    /// pseudo-counts), added to the ELBO so that each iteration's objective cannot decrease.
    func mapLogPrior(logConfusion: [Double], prior: [Double]) -> Double {
        guard let a = pseudoCounts else { return 0 }
        var total = 0.0
        for r in 0..<rows {
            let y = r % k
            for c in 0..<k {
                let weight = y == c ? a.diagonal : a.offDiagonal
                if weight != 0 { total += weight * logConfusion[r * k + c] }
            }
        }
        if a.classes != 0 { for c in 0..<k { total += a.classes * log(max(prior[c], Self.eps)) } }
        return total
    }

    /// The class prior from the posteriors' column sums: their mean, or with pseudo-counts
    /// `(Σ_t P[t, c] + b) / (T + K b)`.
    func classPrior(columnSums: [Double]) -> [Double] {
        let b = pseudoCounts?.classes ?? 0
        if b == 0 { return columnSums.map { $0 / Double(tasks) } }
        return columnSums.map { ($0 + b) / (Double(tasks) + Double(k) * b) }
    }

    /// Applies crowd-kit's `initial_error` to the first M-step.
    func apply(_ initial: InitialConfusions, to counts: inout [Double], mask: inout [Bool]) throws {
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
    /// The two-label pass's entries as 16-bit numbers (half the bytes each pass streams), made by
    /// ``init(count:tableSize:k:narrowing:)`` when every fused entry is below 65536; else `nil`.
    let narrowEntries: UnsafeMutableBufferPointer<UInt16>?

    /// - Parameter narrowing: the task-sorted fused entries to keep as 16-bit numbers too (two
    ///   labels and `workers × 2 ≤ 65536` only; `nil` or any other case keeps none).
    init(count: Int, tableSize: Int, k: Int, narrowing entries: [Int32]? = nil) {
        counts = (0..<count).map { $0 == 0 ? UnsafeMutableBufferPointer(start: nil, count: 0) : .allocate(capacity: tableSize) }
        priorSums = (0..<count).map { _ in .allocate(capacity: k) }
        entropy = .allocate(capacity: count)
        entropy.initialize(repeating: 0)
        if k == 2, tableSize <= 65536 * 2, let entries, !entries.isEmpty {
            let narrow = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: entries.count)
            entries.withUnsafeBufferPointer { wide in
                for i in 0..<wide.count { narrow[i] = UInt16(truncatingIfNeeded: wide[i]) }
            }
            narrowEntries = narrow
        } else {
            narrowEntries = nil
        }
    }

    /// Adds the count tables of slots 1... into `target` (slot 0's table), each thread a block of rows.
    func addSlots(into target: UncheckedSendable<UnsafeMutableBufferPointer<Double>>) {
        let parts = counts.count
        guard parts > 1 else { return }
        let blocks = balancedRows(target.value.count, count: parts)
        parallelFor(blocks.count) { block in
            let c = target.value
            for part in 1..<parts {
                let src = self.counts[part]
                for i in blocks[block] { c[i] += src[i] }
            }
        }
    }

    /// The prior sums and entropy terms of the slots added in slot order: a general pass's result.
    func combined(k: Int) -> (priorSum: [Double], entropyTerm: Double) {
        var priorSum = [Double](repeating: 0, count: k)
        var entropyTerm = 0.0
        for part in 0..<priorSums.count {
            for j in 0..<k { priorSum[j] += priorSums[part][j] }
            entropyTerm += entropy[part]
        }
        return (priorSum, entropyTerm)
    }

    func deallocate() {
        for c in counts where c.baseAddress != nil { c.deallocate() }
        for p in priorSums { p.deallocate() }
        entropy.deallocate()
        narrowEntries?.deallocate()
    }
}
